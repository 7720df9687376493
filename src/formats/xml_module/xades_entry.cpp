// The XAdES table of libqualsig-xml.so (xades_module.h).
#include "formats/xades_module.h"
#include "qualsig/version.h"

namespace {

using namespace qualsig::formats::xades;

constexpr XadesModule kModule{
    {XadesModule::kAbi, sizeof(XadesModule), qualsig::kVersion},
    &sign,
    &sign_detached,
    &add_signature_timestamp,
    &add_validation_data,
    &add_archive_timestamp,
    &inspect,
    &verify,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const qualsig::core::ModuleHeader* qualsig_xades_module() {
  return &kModule.header;
}
