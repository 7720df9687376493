// parse_trusted_list and write_trusted_list as the `qualsig` command has them: loaded from
// libqualsig-xml.so on first use (tl_module.h).
#include "trust/tl_module.h"

namespace qualsig::trust {

Result<TrustedList> parse_trusted_list(ByteView xml) {
  QS_TRY(auto m, core::module_table<TrustedListModule>());
  return m->parse_trusted_list(xml);
}

Result<std::string> write_trusted_list(const TrustedList& list) {
  QS_TRY(auto m, core::module_table<TrustedListModule>());
  return m->write_trusted_list(list);
}

}  // namespace qualsig::trust
