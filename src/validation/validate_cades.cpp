// CAdES / CMS validation: EN 319 102-1 §5.3 basic process per SignerInfo, §5.5 with signature
// time-stamps as POE, §5.6.2.4 past signature validation for signatures with an archive
// time-stamp (notes/validation.md §1). The building blocks run in validate_cades_blocks.cpp.

#include <openssl/cms.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "formats/cades.h"
#include "formats/cms_structures.h"
#include "validation/path.h"

// clang-format off

// RFC 5652 §10.2.1 / RFC 5940 §4.1:
//   OtherRevocationInfoFormat ::= SEQUENCE { otherRevInfoFormat OBJECT IDENTIFIER,
//                                            otherRevInfo ANY DEFINED BY otherRevInfoFormat }
// read as the RevocationInfoChoice alternative "other [1] IMPLICIT OtherRevocationInfoFormat".
struct QS_VALIDATION_OTHER_REVOCATION_INFO {
  ASN1_OBJECT* format;
  ASN1_TYPE* info;
};
DECLARE_ASN1_FUNCTIONS(QS_VALIDATION_OTHER_REVOCATION_INFO)
ASN1_SEQUENCE(QS_VALIDATION_OTHER_REVOCATION_INFO) = {
    ASN1_SIMPLE(QS_VALIDATION_OTHER_REVOCATION_INFO, format, ASN1_OBJECT),
    ASN1_SIMPLE(QS_VALIDATION_OTHER_REVOCATION_INFO, info, ASN1_ANY),
} ASN1_SEQUENCE_END(QS_VALIDATION_OTHER_REVOCATION_INFO)
IMPLEMENT_ASN1_FUNCTIONS(QS_VALIDATION_OTHER_REVOCATION_INFO)

typedef QS_VALIDATION_OTHER_REVOCATION_INFO QS_VALIDATION_OTHER_REVOCATION_CHOICE;
DECLARE_ASN1_ITEM(QS_VALIDATION_OTHER_REVOCATION_CHOICE)
ASN1_ITEM_TEMPLATE(QS_VALIDATION_OTHER_REVOCATION_CHOICE) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_IMPTAG | ASN1_TFLG_CONTEXT, 1, other, QS_VALIDATION_OTHER_REVOCATION_INFO)
ASN1_ITEM_TEMPLATE_END(QS_VALIDATION_OTHER_REVOCATION_CHOICE)

// clang-format on

namespace qualsig::validation::detail {
namespace {

// RFC 5940 §4.1: id-ri-ocsp-response, an OtherRevocationInfoFormat carrying a whole OCSPResponse.
constexpr const char* kRiOcspResponse = "1.3.6.1.5.5.7.16.2";
// RFC 6960 §4.2.1 id-pkix-ocsp-basic: a BasicOCSPResponse in OtherRevocationInfoFormat, as CAdES
// signatures of other products store it (EN 319 122-1 §5.4.2.2 names both forms).
constexpr const char* kPkixOcspBasic = "1.3.6.1.5.5.7.48.1.1";
// The largest input accepted (as formats::cades: 64 MiB content plus validation data).
constexpr std::size_t kMaxCms = (64u << 20) + (16u << 20);
// Countersignatures validated per SignerInfo (nested ones included); more is refused as hostile.
constexpr std::size_t kMaxCounterSignatures = 16;

// OCSP responses stored as "other" RevocationInfoChoices (OpenSSL's CMS API does not return them).
void collect_ocsp(ByteView file, Material& material) {
  auto ci = formats::cms::parse_signed_data(file);
  if (!ci || (*ci)->signed_data == nullptr) return;
  STACK_OF(ASN1_TYPE)* crls = (*ci)->signed_data->crls;
  for (int i = 0; i < sk_ASN1_TYPE_num(crls); ++i) {
    auto der = formats::cms::to_der(sk_ASN1_TYPE_value(crls, i));
    if (!der || der->empty() || (*der)[0] != 0xA1) continue;
    const unsigned char* p = der->data();
    auto* raw = reinterpret_cast<QS_VALIDATION_OTHER_REVOCATION_INFO*>(
        ASN1_item_d2i(nullptr, &p, static_cast<long>(der->size()), ASN1_ITEM_rptr(QS_VALIDATION_OTHER_REVOCATION_CHOICE)));
    formats::cms::Owned<QS_VALIDATION_OTHER_REVOCATION_INFO, QS_VALIDATION_OTHER_REVOCATION_INFO_free> info(raw);
    if (!info) continue;
    auto value = formats::cms::to_der(info->info);
    if (!value) continue;
    std::string oid = formats::cms::oid_text(info->format);
    if (oid == kRiOcspResponse) {
      add_ocsp_response(material, *value);
    } else if (oid == kPkixOcspBasic) {
      const unsigned char* q = value->data();
      auto basic = core::wrap(d2i_OCSP_BASICRESP(nullptr, &q, static_cast<long>(value->size())));
      if (basic) material.ocsp.push_back(std::move(basic));
    }
  }
  ERR_clear_error();
}

bool sub_in(const Verdict& v, std::initializer_list<SubIndication> set) {
  return v.indication == Indication::indeterminate && v.sub && std::find(set.begin(), set.end(), *v.sub) != set.end();
}

std::string describe(const Verdict& v) {
  if (v.passed()) return "PASSED";
  return std::string(indication_name(v.indication)) + ": " + (v.sub ? sub_indication_name(*v.sub) : "") +
         (v.reason.empty() ? "" : " (" + v.reason + ")");
}

// EN 319 102-1 §5.5.4 and §5.6.3.4 after the basic process (notes §1.4, §1.5, §3.2): judges again at
// the best signature time the results a POE can cure.
Verdict long_term(const Verdict& basic, const SignerBlocks& blocks, TimePoint bst, bool has_poe, bool has_archive_poe,
                  std::vector<std::pair<std::string, std::string>>& checks) {
  // Into 5.5 only for these (notes §1.1); anything else is final.
  if (!basic.passed() && !sub_in(basic, {SubIndication::cryptographic_constraints_failure_no_poe,
                                         SubIndication::revoked_no_poe, SubIndication::revoked_ca_no_poe,
                                         SubIndication::try_later, SubIndication::out_of_bounds_no_poe,
                                         SubIndication::out_of_bounds_not_revoked}))
    return basic;
  if (basic.passed() || !has_poe) return basic;
  const auto& signer = blocks.chain.links.empty() ? ChainResult::Link{} : blocks.chain.links[0];
  // 5.5.4 step 4: "best-signature-time is before the issuance date of the signing certificate"
  // gives FAILED/NOT_YET_VALID.
  if (!blocks.chain.links.empty() && bst < signer.not_before) {
    Verdict v{Indication::failed, SubIndication::not_yet_valid, "best signature time before the signer certificate's notBefore"};
    checks.emplace_back("LTV (5.5)", describe(v));
    return v;
  }
  // 5.5.4 step 4b: OUT_OF_BOUNDS_NO_POE is returned unchanged; only past signature validation
  // (5.6.2.4, signatures with an archive time-stamp) may cure it.
  if (sub_in(basic, {SubIndication::out_of_bounds_no_poe}) && !has_archive_poe) {
    checks.emplace_back("LTV (5.5)", describe(basic) + " [unchanged: no archive time-stamp for past signature validation]");
    return basic;
  }
  Verdict at_bst = judge_chain(blocks.chain, bst, true);
  if (at_bst.passed()) at_bst = signature_acceptance(blocks, bst);
  std::string block = sub_in(basic, {SubIndication::out_of_bounds_no_poe}) ? "PSV (5.6.2.4)" : "LTV (5.5)";
  checks.emplace_back(block, describe(at_bst) + " at best signature time " + to_rfc3339(bst));
  if (at_bst.passed()) return at_bst;
  return basic;
}

// RFC 5652 §11.4 countersignatures of SignerInfo `signer`, each validated as a signature of its
// parent's signature value (formats::cades::counter_signatures) with the file's validation material.
// Their own signature-time-stamps are POEs, and so are the parent's PASSED archive-time-stamp-v3
// tokens whose hash index lists the top-level countersignature they belong to (`parent_timestamps`,
// TimestampReport::counter_signatures): such a token proves the countersignature existed, as it is,
// at its time (EN 319 102-1 §5.6.2.4). One added after the token is not listed and gets no POE
// from it.
void counters_of(ByteView file, std::size_t signer, const std::string& parent_id,
                 const std::vector<TimestampReport>& parent_timestamps, const ValidationOptions& options,
                 Material& material, bool embedded_revocation, TimePoint at, std::vector<SignatureReport>& out) {
  auto format_failure = [&](std::string id, std::string parent, std::string why) {
    out.push_back(unreadable_counter_signature(std::move(id), std::move(parent), "CAdES", std::move(why), at));
  };
  auto counters = formats::cades::counter_signatures(file, signer, kMaxCounterSignatures);
  if (!counters) {
    // Nothing of them is readable: one entry says why (the parent's own result stands).
    if (counters.error().message.find("countersignature") != std::string::npos)
      format_failure(parent_id + "-CS", parent_id, counters.error().message);
    return;
  }
  for (const formats::cades::CounterSignature& c : *counters) {
    std::string id = parent_id, parent = parent_id;
    for (std::size_t k : c.path) {
      parent = id;
      id += "-CS-" + std::to_string(k + 1);
    }
    const unsigned char* p = c.signed_data.data();
    auto cms = core::wrap(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(c.signed_data.size())));
    CMS_SignerInfo* si = cms ? sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0) : nullptr;
    if (si == nullptr) {
      ERR_clear_error();
      format_failure(id, parent, "countersignature is not a CMS SignerInfo OpenSSL reads (RFC 5652 §5.3)");
      continue;
    }
    SignatureReport r;
    r.id = id;
    r.counter_signature_of = parent;
    r.best_signature_time = at;
    SignerBlocks blocks = run_basic_blocks(cms.get(), si, options, material, embedded_revocation, std::nullopt, at, r,
                                           /*counter_signature=*/true);
    r.timestamps = validate_signer_timestamps(si, ByteView{}, options, material, at);
    for (const TimestampReport& t : parent_timestamps)
      if (t.indication == Indication::passed &&
          std::find(t.counter_signatures.begin(), t.counter_signatures.end(), c.path.front()) != t.counter_signatures.end()) {
        r.timestamps.push_back(t);
        r.timestamps.back().counter_signatures.clear();  // positions among the parent's, not this one's
        r.timestamps.back().covers.clear();
      }
    conclude(blocks, false, r);
    out.push_back(std::move(r));
  }
}

}  // namespace

SignatureReport unreadable_counter_signature(std::string id, std::string parent, std::string format, std::string why,
                                             TimePoint at) {
  SignatureReport r;
  r.id = std::move(id);
  r.counter_signature_of = std::move(parent);
  r.format = std::move(format);
  r.level = "not a baseline profile";
  r.best_signature_time = at;
  r.indication = Indication::total_failed;
  r.sub_indication = SubIndication::format_failure;
  r.checks.emplace_back("FC (5.2.2)", "FAILED: " + why);
  r.reasons.push_back(std::move(why));
  return r;
}

void conclude(const SignerBlocks& blocks, bool document_timestamps_archive, SignatureReport& sig) {
  Verdict result = basic_result(blocks);
  past_timestamp_validation(sig.timestamps);
  // The best signature time (§5.5.4 steps 1 and 3): the earliest PASSED time-stamp.
  bool has_poe = false, has_archive_poe = false;
  for (const TimestampReport& t : sig.timestamps) {
    if (t.indication != Indication::passed) continue;
    has_poe = true;
    if (t.type.rfind("archive", 0) == 0 || (t.type == "document-time-stamp" && document_timestamps_archive))
      has_archive_poe = true;
    sig.best_signature_time = std::min(sig.best_signature_time, t.gen_time);
  }
  result = long_term(result, blocks, sig.best_signature_time, has_poe, has_archive_poe, sig.checks);
  sig.indication = result.indication == Indication::passed   ? Indication::total_passed
                   : result.indication == Indication::failed ? Indication::total_failed
                                                             : Indication::indeterminate;
  sig.sub_indication = result.sub;
  if (!result.reason.empty()) sig.reasons.push_back(result.reason);
}

Result<ValidationReport> validate_cms(ByteView file, const ValidationOptions& options, TimePoint at,
                                      const CmsContext& context) {
  if (file.size() > kMaxCms) return fail(ErrorCode::invalid_input, "input larger than the 80 MiB CMS limit");
  const unsigned char* p = file.data();
  auto cms = core::wrap(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(file.size())));
  bool rest_ok = cms && (p == file.data() + file.size() || context.container_padding);
  bool dirty_padding = rest_ok && !std::all_of(p, file.data() + file.size(), [](unsigned char c) { return c == 0; });
  if (!rest_ok || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    ERR_clear_error();
    return fail(ErrorCode::invalid_input, "not a signature format qualsig knows (no DER/BER CMS SignedData)");
  }
  file = file.first(static_cast<std::size_t>(p - file.data()));  // without the padding
  Material material;
  if (context.base != nullptr) {
    material = share(*context.base);
  } else {
    QS_TRY(material, material_from_options(options, context.signatures, context.online));
  }
  // Certificates and CRLs in SignedData (RFC 5652 §5.1), then OCSP responses (RFC 5940).
  auto certs = core::wrap(CMS_get1_certs(cms.get()));
  for (int i = 0; i < sk_X509_num(certs.get()); ++i) add_certificate(material, sk_X509_value(certs.get(), i));
  std::size_t crls_before = material.crls.size(), ocsp_before = material.ocsp.size();
  STACK_OF(X509_CRL)* crls = CMS_get1_crls(cms.get());
  for (int i = 0; i < sk_X509_CRL_num(crls); ++i) material.crls.push_back(core::wrap(sk_X509_CRL_value(crls, i)));
  sk_X509_CRL_free(crls);  // the CRLs are owned by material now
  collect_ocsp(file, material);
  ERR_clear_error();
  bool embedded_revocation = material.crls.size() > crls_before || material.ocsp.size() > ocsp_before;

  ValidationReport report;
  std::vector<SignatureReport> counters;  // reported after the SignerInfos
  report.document_format = "CAdES";
  report.validation_time = at;
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
  for (int i = 0; i < sk_CMS_SignerInfo_num(infos); ++i) {
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, i);
    SignatureReport sig;
    sig.id = "S-" + std::to_string(i + 1);
    sig.best_signature_time = at;
    SignerBlocks blocks = run_basic_blocks(cms.get(), si, options, material, embedded_revocation,
                                           context.claimed_signing_time, at, sig);
    // Time-stamps (EN 319 102-1 §5.4), then the processes.
    if (dirty_padding)
      sig.checks.emplace_back("FC (5.2.2, PAdES)", "PASSED with warning: non-zero bytes after the CMS in /Contents");
    sig.timestamps = validate_signer_timestamps(si, i == 0 ? file : ByteView{}, options, material, at);
    // A PDF document time-stamp covers the revisions before it: the signature's CMS with its own
    // time-stamps and the document time-stamps of earlier revisions (ISO 32000-2 §12.8.5).
    for (const TimestampReport& t : context.document_timestamps) {
      std::size_t position = sig.timestamps.size();
      sig.timestamps.push_back(t);
      sig.timestamps.back().covers.clear();
      for (std::size_t k = 0; k < position; ++k) sig.timestamps.back().covers.push_back(k);
    }
    conclude(blocks, context.document_timestamps_archive, sig);
    // Read through formats (a second parse of the file) only when there are any.
    if (CMS_unsigned_get_attr_by_NID(si, NID_pkcs9_countersignature, -1) >= 0)
      counters_of(file, static_cast<std::size_t>(i), sig.id, sig.timestamps, options, material, embedded_revocation, at,
                  counters);
    report.signatures.push_back(std::move(sig));
  }
  for (SignatureReport& c : counters) report.signatures.push_back(std::move(c));
  if (material.online) report.fetched = material.online->log;
  return report;
}

}  // namespace qualsig::validation::detail
