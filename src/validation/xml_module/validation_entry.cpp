// The validation table of libqualsig-xml.so (xml_module.h).
#include "qualsig/version.h"
#include "validation/xml_module.h"

namespace {

using namespace qualsig::validation;

constexpr ValidationXmlModule kModule{
    {ValidationXmlModule::kAbi, sizeof(ValidationXmlModule), qualsig::kVersion},
    &detail::validate_xml,
    &etsi_validation_report,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const qualsig::core::ModuleHeader* qualsig_validation_xml_module() {
  return &kModule.header;
}
