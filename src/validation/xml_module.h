#pragma once
// The validation table of libqualsig-xml.so (formats/xades_module.h explains the module): XAdES
// validation (path.h, validate_xml) and the ETSI TS 119 102-2 report (etsi_report.h), which the
// `qualsig` command loads on demand.

#include <cstdint>

#include "core/module.h"
#include "formats/xades_module.h"
#include "validation/etsi_report.h"
#include "validation/path.h"

namespace qualsig::validation {

struct ValidationXmlModule {
  static constexpr std::uint32_t kAbi = 1;  // raised whenever this table changes
  static constexpr const char* kWhat = "XML support";
  static constexpr const char* kFile = formats::xades::kXmlModuleFile;
  static constexpr const char* kSymbol = "qualsig_validation_xml_module";
  core::ModuleHeader header;
  Result<ValidationReport> (*validate_xml)(ByteView, const ValidationOptions&, TimePoint);
  Result<std::string> (*etsi_validation_report)(const ValidationReport&, const std::vector<std::string>&);
};

}  // namespace qualsig::validation
