// export_trusted_list (service/trust_list_service.h).
#include "service/trust_list_service.h"

#include "audit/log_entry.h"
#include "core/openssl.h"
#include "formats/xades.h"
#include "service/ca_context.h"
#include "service/identity_service.h"
#include "trust/trusted_list.h"

namespace qualsig::service {
namespace {


Result<TimePoint> not_before(const X509* cert) {
  struct tm t {};
  if (ASN1_TIME_to_tm(X509_get0_notBefore(cert), &t) != 1) return fail(ErrorCode::crypto, "certificate notBefore does not parse");
  return TimePoint(std::chrono::seconds(timegm(&t)));
}

// TS 119 612 has no TSLType for a private list; this URN says what it is (docs/decisions.md).
constexpr const char* kPrivateTslType = "urn:qualsig:tsltype:private";

}  // namespace

Result<ExportedList> export_trusted_list(TrustService& svc, const std::string& actor, TimePoint now, int valid_days) {
  if (valid_days < 1 || valid_days > 366) return fail(ErrorCode::usage, "the next update must be 1 to 366 days away");
  QS_TRY(auto ca, svc.ca_context());
  QS_TRY(auto sequence, svc.store().next_counter("trusted_list_sequence"));
  trust::TrustedList tl;
  tl.version = 5;
  tl.sequence_number = sequence;
  tl.tsl_type = kPrivateTslType;
  std::string org = core::subject_attribute(ca->issuing.get(), NID_organizationName);
  if (org.empty()) org = core::subject_attribute(ca->issuing.get(), NID_commonName);
  tl.scheme_operator = org;
  tl.territory = core::subject_attribute(ca->issuing.get(), NID_countryName);
  tl.issued = now;
  tl.next_update = now + std::chrono::hours(24 * valid_days);
  trust::TrustServiceProvider tsp;
  tsp.name = org;
  auto service = [&](const X509* cert, const char* type, std::vector<std::string> asi) -> Result<trust::Service> {
    trust::Service s;
    QS_TRY(auto der, core::x509_to_der(cert));
    s.certificates.push_back(std::move(der));
    trust::ServiceStatusPeriod p;
    p.type = type;
    p.name = core::subject_attribute(cert, NID_commonName);
    p.status = trust::kStatusGranted;
    QS_TRY(p.start, not_before(cert));
    p.additional_service_info = std::move(asi);
    s.periods.push_back(std::move(p));
    return s;
  };
  // TS 119 612 §5.5.9.4: the CA/QC service issues certificates for e-signatures and e-seals.
  QS_TRY(auto ca_qc, service(ca->issuing.get(), trust::kSvcTypeCaQc, {trust::kAsiForeSignatures, trust::kAsiForeSeals}));
  QS_TRY(auto tsa, service(ca->tsa.get(), trust::kSvcTypeTsaQtst, {}));
  tsp.services.push_back(std::move(ca_qc));
  tsp.services.push_back(std::move(tsa));
  tl.providers.push_back(std::move(tsp));
  QS_TRY(auto xml, trust::write_trusted_list(tl));

  QS_TRY(auto signer, svc.signer("root"));
  formats::xades::SignOptions o;
  o.level = formats::cades::Level::b_b;
  o.packaging = formats::xades::Packaging::enveloped;
  o.signing_time = now;
  o.mime_type = "application/vnd.etsi.tsl+xml";
  QS_TRY(auto signed_xml, formats::xades::sign(ByteView(reinterpret_cast<const unsigned char*>(xml.data()), xml.size()),
                                               ca->root.get(), *signer, o));
  ExportedList out{std::string(signed_xml.begin(), signed_xml.end()), sequence};
  QS_TRY_VOID(log_event(svc, audit::EventType::operator_note, actor, "trusted-list:" + std::to_string(sequence),
                        {{"list", audit::sha256_ref(signed_xml)}},
                        {{"note", "trusted list exported"}, {"sequence", sequence}, {"next_update", to_rfc3339(*tl.next_update)}}, now));
  return out;
}

}  // namespace qualsig::service
