// JSON form of a ValidationReport; see validate.h (to_json).

#include "validation/validate.h"

namespace qualsig::validation {
namespace {

nlohmann::json timestamp_json(const TimestampReport& t) {
  nlohmann::json j = {{"type", t.type},
                      {"genTime", to_rfc3339(t.gen_time)},
                      {"indication", indication_name(t.indication)},
                      {"tsa", t.tsa},
                      {"reasons", t.reasons}};
  if (t.sub_indication) j["subIndication"] = sub_indication_name(*t.sub_indication);
  return j;
}

nlohmann::json signature_json(const SignatureReport& s) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& [block, result] : s.checks) checks.push_back({{"block", block}, {"result", result}});
  nlohmann::json chain = nlohmann::json::array();
  for (const Bytes& c : s.chain) chain.push_back(base64_encode(c));
  nlohmann::json timestamps = nlohmann::json::array();
  for (const TimestampReport& t : s.timestamps) timestamps.push_back(timestamp_json(t));
  nlohmann::json j = {{"id", s.id},
                      {"format", s.format},
                      {"level", s.level},
                      {"indication", indication_name(s.indication)},
                      {"checks", checks},
                      {"reasons", s.reasons},
                      {"chain", chain},
                      {"bestSignatureTime", to_rfc3339(s.best_signature_time)},
                      {"timestamps", timestamps}};
  if (s.sub_indication) j["subIndication"] = sub_indication_name(*s.sub_indication);
  if (!s.counter_signature_of.empty()) j["counterSignatureOf"] = s.counter_signature_of;
  if (!s.signer_certificate.empty()) j["signerCertificate"] = base64_encode(s.signer_certificate);
  if (s.claimed_signing_time) j["claimedSigningTime"] = to_rfc3339(*s.claimed_signing_time);
  return j;
}

}  // namespace

nlohmann::json to_json(const ValidationReport& report) {
  nlohmann::json signatures = nlohmann::json::array();
  for (const SignatureReport& s : report.signatures) signatures.push_back(signature_json(s));
  nlohmann::json j = {{"documentFormat", report.document_format},
                      {"validationTime", to_rfc3339(report.validation_time)},
                      {"signatures", signatures}};
  if (!report.fetched.empty()) j["fetched"] = report.fetched;
  return j;
}

}  // namespace qualsig::validation
