// The trusted-list table of libqualsig-xml.so (tl_module.h).
#include "qualsig/version.h"
#include "trust/tl_module.h"

namespace {

using namespace qualsig::trust;

constexpr TrustedListModule kModule{
    {TrustedListModule::kAbi, sizeof(TrustedListModule), qualsig::kVersion},
    &parse_trusted_list,
    &write_trusted_list,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const qualsig::core::ModuleHeader* qualsig_trusted_list_module() {
  return &kModule.header;
}
