// XAdES validation and the ETSI report as the `qualsig` command has them: loaded from
// libqualsig-xml.so on first use (xml_module.h).
#include "validation/xml_module.h"

namespace qualsig::validation {

Result<std::string> etsi_validation_report(const ValidationReport& report, const std::vector<std::string>& quality) {
  QS_TRY(auto m, core::module_table<ValidationXmlModule>());
  return m->etsi_validation_report(report, quality);
}

namespace detail {

Result<ValidationReport> validate_xml(ByteView file, const ValidationOptions& options, TimePoint at) {
  QS_TRY(auto m, core::module_table<ValidationXmlModule>());
  return m->validate_xml(file, options, at);
}

}  // namespace detail
}  // namespace qualsig::validation
