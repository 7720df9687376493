#pragma once
// The trusted-list table of libqualsig-xml.so (formats/xades_module.h explains the module): the
// TS 119 612 parser and writer of trusted_list.h, which the `qualsig` command loads on demand.

#include <cstdint>

#include "core/module.h"
#include "formats/xades_module.h"
#include "trust/trusted_list.h"

namespace qualsig::trust {

struct TrustedListModule {
  static constexpr std::uint32_t kAbi = 1;  // raised whenever this table changes
  static constexpr const char* kWhat = "XML support";
  static constexpr const char* kFile = formats::xades::kXmlModuleFile;
  static constexpr const char* kSymbol = "qualsig_trusted_list_module";
  core::ModuleHeader header;
  Result<TrustedList> (*parse_trusted_list)(ByteView);
  Result<std::string> (*write_trusted_list)(const TrustedList&);
};

}  // namespace qualsig::trust
