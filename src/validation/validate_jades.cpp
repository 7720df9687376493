// JAdES validation (TS 119 182-1 signatures, validated per EN 319 102-1): the structure from
// formats::jades::parse_jws, the signature value checked here, then the same building blocks and
// processes as CAdES with the x5c chain, xVals / rVals validation data and sigTst time-stamps.

#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

#include <cctype>

#include "core/digest.h"
#include "formats/jades.h"
#include "validation/path.h"

namespace qualsig::validation::detail {
namespace {

int digest_nid(formats::jades::JwsAlgorithm alg) {
  switch (alg) {
    case formats::jades::JwsAlgorithm::es384: return NID_sha384;
    case formats::jades::JwsAlgorithm::es256:
    case formats::jades::JwsAlgorithm::ps256:
    case formats::jades::JwsAlgorithm::rs256: return NID_sha256;
  }
  return NID_undef;
}

std::string describe(const Verdict& v) {
  if (v.passed()) return "PASSED";
  return std::string(v.indication == Indication::failed ? "FAILED" : "INDETERMINATE") + ": " +
         (v.sub ? sub_indication_name(*v.sub) : "") + (v.reason.empty() ? "" : " (" + v.reason + ")");
}

// An arcTst time-stamp token of etsiU and the input of its message imprint, when qualsig can
// compute it (else `why_not`).
struct ArchiveTimestamp {
  Bytes token;
  std::optional<std::string> imprint_input;
  std::string why_not;
  std::size_t counter_signatures_before = 0;    // cSig entries of etsiU before it (§5.3.6.3.1: covered)
  std::size_t signature_timestamps_before = 0;  // sigTst tokens of etsiU before it (covered too)
};

// TS 119 182-1 §5.3.6 arcTst entries of etsiU ({"arcTst": {"timeStamped": ..., "tstTokens":
// [{"val": base64 DER}]}}, each entry a JSON object or its base64url text). The message imprint
// input (§5.3.6.3.1, timeStamped "all" or absent) is the concatenation of: the payload as signed
// (`payload_section`: the base64url payload, or the payload itself with b64 false), '.', the
// base64url protected header, '.', the base64url signature value, '.', and every etsiU entry
// before the arcTst as it appears. That is defined for base64url etsiU entries; for clear JSON
// entries the standard leaves the serialisation to a canonicalisation qualsig does not implement,
// so those imprints are not computed (the token is INDETERMINATE with the reason).
std::vector<ArchiveTimestamp> archive_timestamps(const formats::jades::JwsSignature& s,
                                                 const std::optional<std::string>& payload_section) {
  std::vector<ArchiveTimestamp> out;
  auto etsi_u = s.unprotected_header.find("etsiU");
  if (etsi_u == s.unprotected_header.end() || !etsi_u->is_array()) return out;
  std::string preceding;  // the base64url etsiU entries before the current one, concatenated
  bool clear_entries = false;
  std::size_t counter_signatures = 0;  // cSig entries so far, numbered as JwsSignature::counter_signatures
  std::size_t signature_timestamps = 0;  // sigTst tokens so far, in JwsSignature::signature_timestamps order
  for (const auto& raw : *etsi_u) {
    nlohmann::json entry = raw;
    if (raw.is_string()) {
      auto decoded = base64url_decode(raw.get<std::string>());
      if (decoded) entry = nlohmann::json::parse(decoded->begin(), decoded->end(), nullptr, false);
    } else {
      clear_entries = true;
    }
    if (entry.is_object() && entry.contains("arcTst") && entry["arcTst"].is_object()) {
      const auto& arc = entry["arcTst"];
      std::optional<std::string> input;
      std::string why_not;
      const auto time_stamped = arc.find("timeStamped");
      if (time_stamped != arc.end() && *time_stamped != "all")
        why_not = "JAdES arcTst with timeStamped other than \"all\" (TS 119 182-1 §5.3.6.3.2) is not computed by qualsig";
      else if (clear_entries)
        why_not = "JAdES arcTst over clear (not base64url) etsiU entries needs a JSON canonicalisation qualsig does not implement";
      else if (s.sigd)
        why_not = "JAdES arcTst over sigD detached objects is not computed by qualsig";
      else if (!payload_section)
        why_not = "JAdES arcTst of a detached JWS needs the detached content";
      else
        input = formats::jades::archive_timestamp_input(*payload_section, s.encoded_protected, s.encoded_signature, preceding);
      const auto& tokens = arc.value("tstTokens", nlohmann::json::array());
      if (tokens.is_array())
        for (const auto& t : tokens)
          if (t.is_object() && t.contains("val") && t["val"].is_string())
            if (auto der = base64_decode(t["val"].get<std::string>()))
              out.push_back({std::move(*der), input, why_not, counter_signatures, signature_timestamps});
    }
    if (entry.is_object() && entry.contains("cSig")) ++counter_signatures;
    if (entry.is_object() && entry.contains("sigTst") && entry["sigTst"].is_object()) {
      const auto& tokens = entry["sigTst"].value("tstTokens", nlohmann::json::array());
      if (tokens.is_array()) signature_timestamps += tokens.size();
    }
    if (raw.is_string()) preceding += raw.get<std::string>();
  }
  return out;
}

// RFC 7515 §5.2 step 8 / RFC 7518 §3: the signature value over BASE64URL(protected) '.' payload
// with the x5c[0] key (`payload_section`: the payload as signed). ECDSA values are r||s
// (converted to DER for OpenSSL).
bool signature_value_verifies(const formats::jades::JwsSignature& s, const std::optional<std::string>& payload_section,
                              X509* signer) {
  std::string input = s.encoded_protected + ".";
  if (s.sigd)
    ;  // TS 119 182-1 §5.2.8: the payload is empty; the header's hashV values cover the data
  else if (payload_section)
    input += *payload_section;
  else
    return false;
  EVP_PKEY* key = X509_get0_pubkey(signer);
  const EVP_MD* md = EVP_get_digestbynid(digest_nid(s.alg));
  Bytes sig = s.signature;
  if (s.alg == formats::jades::JwsAlgorithm::es256 || s.alg == formats::jades::JwsAlgorithm::es384) {
    auto der = core::ecdsa_raw_to_der(sig);  // fails for an empty or odd-length value
    if (!der) return false;
    sig = std::move(*der);
  }
  auto ctx = core::wrap(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || key == nullptr || md == nullptr || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key) != 1) return false;
  if (s.alg == formats::jades::JwsAlgorithm::ps256 &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
    return false;
  bool ok = EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), reinterpret_cast<const unsigned char*>(input.data()),
                             input.size()) == 1;
  ERR_clear_error();
  return ok;
}

// TS 119 182-1 §5.2.8.3.3 (ObjectIdByURIHash): the detached data objects sigD names, against the
// detached content given. `qualsig verify` takes one detached content, so it can stand for a sigD
// naming exactly one object.
Verdict detached_objects_match(const formats::jades::DetachedObjects& sigd, bool b64, std::optional<ByteView> detached) {
  if (!detached)
    return {Indication::indeterminate, SubIndication::signed_data_not_found,
            "sigD names the detached object \"" + sigd.uris.front().substr(0, 200) + "\" and no detached content was given"};
  if (sigd.uris.size() != 1)
    return {Indication::indeterminate, SubIndication::signed_data_not_found,
            "sigD names " + std::to_string(sigd.uris.size()) + " detached objects; one detached content was given"};
  const std::string encoded = b64 ? base64url_encode(*detached) : to_string(*detached);
  if (core::digest(sigd.digest, to_bytes(encoded)) != sigd.digests.front())
    return {Indication::failed, SubIndication::hash_failure,
            "the detached content's digest is not sigD's hashV for \"" + sigd.uris.front().substr(0, 200) + "\""};
  return {};
}

// TS 119 182-1 §6: B-T with sigTst, B-LT with xVals/rVals as well, B-LTA with arcTst.
std::string level_of(const formats::jades::JwsSignature& s, bool has_archive_timestamp) {
  if (s.signature_timestamps.empty()) return "JAdES-BASELINE-B";
  if (has_archive_timestamp) return "JAdES-BASELINE-LTA";
  return s.crl_values.empty() && s.ocsp_values.empty() ? "JAdES-BASELINE-T" : "JAdES-BASELINE-LT";
}

}  // namespace

namespace {

// Countersignatures nested deeper than this are reported as a format failure (each level is
// parsed again: the bound keeps a hostile nesting linear).
constexpr int kMaxCounterDepth = 4;

// `inherited`: PASSED archive time-stamps of the signatures a countersignature countersigns that
// cover it, POEs of its signatures too (EN 319 102-1 §5.6.2.4); empty for a JWS of its own.
Result<ValidationReport> validate_jws_at_depth(ByteView text, const ValidationOptions& options, TimePoint at, int depth,
                                               const std::vector<TimestampReport>& inherited);

// One etsiU cSig (TS 119 182-1 §5.3.2) of a signature whose value is `countersigned`, validated as
// a JWS of its own: the countersigned signature value is its payload (a detached cSig is given it
// as detached content), so a payload that differs from it is HASH_FAILURE. Its reports (its own
// countersignatures included) are appended to `out` with ids under `id`.
void validate_counter_signature(const std::string& text, const Bytes& countersigned, const std::string& id,
                                const std::string& parent, const ValidationOptions& options, TimePoint at, int depth,
                                const std::vector<TimestampReport>& inherited, std::vector<SignatureReport>& out) {
  auto failure = [&](std::string why) { out.push_back(unreadable_counter_signature(id, parent, "JAdES", std::move(why), at)); };
  if (depth >= kMaxCounterDepth) return failure("countersignatures nested deeper than " + std::to_string(kMaxCounterDepth));
  auto parsed = formats::jades::parse_jws(text);
  if (!parsed) return failure("cSig is not a JWS qualsig can read: " + parsed.error().message);
  if (parsed->signatures.size() != 1) return failure("cSig holds " + std::to_string(parsed->signatures.size()) + " signatures, not one");
  ValidationOptions o = options;
  o.detached_content.reset();
  if (!parsed->payload) o.detached_content = countersigned;
  auto report = validate_jws_at_depth(to_bytes(text), o, at, depth + 1, inherited);
  if (!report || report->signatures.empty())
    return failure(report ? "cSig has no signature" : "cSig is not a JWS qualsig can read: " + report.error().message);
  // validate_jws numbers its one signature S-1 and that one's countersignatures S-1-CS-...
  for (SignatureReport& r : report->signatures) {
    r.counter_signature_of = r.counter_signature_of.empty() ? parent : id + r.counter_signature_of.substr(3);
    r.id = id + r.id.substr(3);
  }
  SignatureReport& self = report->signatures.front();
  if (parsed->payload && *parsed->payload != countersigned) {
    const std::string why = "the countersignature's payload is not the countersigned signature value";
    self.checks.emplace_back("CV (5.2.7, countersigned value)", "FAILED: HASH_FAILURE (" + why + ")");
    self.indication = Indication::total_failed;
    self.sub_indication = SubIndication::hash_failure;
    self.reasons.insert(self.reasons.begin(), why);
  } else {
    self.checks.emplace_back("CV (5.2.7, countersigned value)", "PASSED");
  }
  for (SignatureReport& r : report->signatures) out.push_back(std::move(r));
}

}  // namespace

Result<ValidationReport> validate_jws(ByteView text, const ValidationOptions& options, TimePoint at) {
  return validate_jws_at_depth(text, options, at, 0, {});
}

namespace {

Result<ValidationReport> validate_jws_at_depth(ByteView text, const ValidationOptions& options, TimePoint at, int depth,
                                               const std::vector<TimestampReport>& inherited) {
  std::string_view jws(reinterpret_cast<const char*>(text.data()), text.size());
  // Trailing white space (a file's final newline) is not part of a compact JWS.
  while (!jws.empty() && std::isspace(static_cast<unsigned char>(jws.back())) != 0) jws.remove_suffix(1);
  auto parsed = formats::jades::parse_jws(jws);
  if (!parsed) return fail(ErrorCode::invalid_input, "not a JWS qualsig can read: " + parsed.error().message);
  std::optional<ByteView> detached;
  if (!parsed->payload && options.detached_content) detached = ByteView(*options.detached_content);
  // With sigD the payload is empty by design and the detached content is checked by digest.
  bool by_reference = false;
  for (const auto& s : parsed->signatures) by_reference = by_reference || s.sigd.has_value();
  if (by_reference && options.detached_content) detached = ByteView(*options.detached_content);
  const bool content_missing = !parsed->payload && !detached;
  QS_TRY(Material material, material_from_options(options));
  for (const auto& s : parsed->signatures) {
    for (const Bytes& der : s.x5c)
      if (auto c = core::x509_from_der(der)) add_certificate(material, c->get());
    for (const Bytes& der : s.certificate_values)
      if (auto c = core::x509_from_der(der)) add_certificate(material, c->get());
    for (const Bytes& der : s.ocsp_values) add_ocsp_response(material, der);
    for (const Bytes& der : s.crl_values) {
      const unsigned char* p = der.data();
      if (auto crl = core::wrap(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())))) material.crls.push_back(std::move(crl));
    }
  }
  ERR_clear_error();

  ValidationReport report;
  std::vector<SignatureReport> counters;  // reported after the signatures
  report.document_format = "JAdES";
  report.validation_time = at;
  for (std::size_t i = 0; i < parsed->signatures.size(); ++i) {
    const auto& js = parsed->signatures[i];
    // The payload as it was signed (RFC 7515 §5.2 step 8, TS 119 182-1 §5.3.6.3.1 item 1): the
    // base64url payload, or with b64 false the payload itself; for a detached JWS built from the
    // detached content (with sigD there is none: hashV covers the data).
    std::optional<std::string> payload_section;
    if (parsed->payload)
      payload_section = parsed->payload_part;
    else if (detached && !js.sigd)
      payload_section = parsed->b64 ? base64url_encode(*detached) : to_string(*detached);
    const std::vector<ArchiveTimestamp> arcs = archive_timestamps(js, payload_section);
    SignatureReport sig;
    sig.id = "S-" + std::to_string(i + 1);
    sig.format = "JAdES";
    sig.level = level_of(js, !arcs.empty());
    sig.best_signature_time = at;
    sig.claimed_signing_time = js.signing_time;
    sig.signature_value = js.signature;
    SignerBlocks b;
    b.signed_attributes = true;
    b.digest_nid = digest_nid(js.alg);
    b.signing_time = js.signing_time;
    sig.checks.emplace_back("FC (5.2.2)", "PASSED");
    // ISC (§5.2.3): x5c[0] is the signer; x5t#S256, when present, must be its digest.
    if (js.x5c.empty()) {
      b.isc = {Indication::indeterminate, SubIndication::no_signing_certificate_found, "no x5c header"};
    } else if (auto cert = core::x509_from_der(js.x5c[0])) {
      b.signer = std::move(*cert);
      sig.signer_certificate = js.x5c[0];
      // RFC 7515 §4.1.8: x5t#S256 is the SHA-256 of the certificate's DER.
      if (js.x5t_s256 && *js.x5t_s256 != core::sha256(js.x5c[0]))
        b.isc = {Indication::indeterminate, SubIndication::no_signing_certificate_found, "x5t#S256 does not match x5c[0]"};
    } else {
      b.isc = {Indication::indeterminate, SubIndication::no_signing_certificate_found, "x5c[0] is not a certificate"};
    }
    sig.checks.emplace_back("ISC (5.2.3)", describe(b.isc));
    if (b.isc.passed()) {
      sig.checks.emplace_back("VCI (5.2.4)", "PASSED (no signature policy processed)");
      b.chain = build_chain(b.signer.get(), material, at);
      b.xcv = judge_chain(b.chain, at, true);
      sig.checks.emplace_back("XCV (5.2.6)", describe(b.xcv));
      for (int c = 0; b.chain.chain && c < sk_X509_num(b.chain.chain.get()); ++c)
        if (auto der = core::x509_to_der(sk_X509_value(b.chain.chain.get(), c))) sig.chain.push_back(*der);
      // CV (§5.2.7). The sigTst imprints are the time-stamps' own check (5.4), not the signature's.
      if (!signature_value_verifies(js, payload_section, b.signer.get()) && (js.sigd || !content_missing))
        b.cv = {Indication::failed, SubIndication::sig_crypto_failure, "JWS signature value does not verify with the x5c[0] key"};
      else if (js.sigd)
        b.cv = detached_objects_match(*js.sigd, parsed->b64, detached);
      else if (content_missing)
        b.cv = {Indication::indeterminate, SubIndication::signed_data_not_found, "detached JWS and no detached content given"};
      sig.checks.emplace_back("CV (5.2.7)", describe(b.cv));
      b.sav = signature_acceptance(b, at);
      sig.checks.emplace_back("SAV (5.2.8)", describe(b.sav));
    }
    // TS 119 182-1 §5.3.4: the sigTst imprint is over the ASCII base64url signature value.
    const std::string signature_value = js.encoded_signature;
    for (const Bytes& token : js.signature_timestamps) {
      sig.timestamps.push_back(validate_timestamp(
          token, "signature-time-stamp",
          [&signature_value](const EVP_MD* md) -> Result<Bytes> {
            unsigned char buf[EVP_MAX_MD_SIZE];
            unsigned int len = 0;
            if (EVP_Digest(signature_value.data(), signature_value.size(), buf, &len, md, nullptr) != 1)
              return fail(ErrorCode::crypto, "digest not computable");
            return Bytes(buf, buf + len);
          },
          material, at));
    }
    const std::size_t signature_timestamps = sig.timestamps.size();
    for (const ArchiveTimestamp& arc : arcs) {
      const std::size_t position = sig.timestamps.size();
      sig.timestamps.push_back(validate_timestamp(
          arc.token, "archive-time-stamp",
          [&arc](const EVP_MD* md) -> Result<Bytes> {
            if (!arc.imprint_input) return fail(ErrorCode::usage, arc.why_not);
            unsigned char buf[EVP_MAX_MD_SIZE];
            unsigned int len = 0;
            if (EVP_Digest(arc.imprint_input->data(), arc.imprint_input->size(), buf, &len, md, nullptr) != 1)
              return fail(ErrorCode::crypto, "digest not computable");
            return Bytes(buf, buf + len);
          },
          material, at));
      // §5.3.6.3.1: the imprint covers every etsiU entry before the arcTst, cSig entries included.
      for (std::size_t k = 0; k < arc.counter_signatures_before; ++k) sig.timestamps.back().counter_signatures.push_back(k);
      // ... and the sigTst tokens and arcTst entries before it.
      for (std::size_t k = 0; k < std::min(arc.signature_timestamps_before, signature_timestamps); ++k)
        sig.timestamps.back().covers.push_back(k);
      for (std::size_t k = signature_timestamps; k < position; ++k) sig.timestamps.back().covers.push_back(k);
    }
    const std::size_t own_timestamps = sig.timestamps.size();
    sig.timestamps.insert(sig.timestamps.end(), inherited.begin(), inherited.end());
    conclude(b, false, sig);
    for (std::size_t k = 0; k < js.counter_signatures.size(); ++k) {
      std::vector<TimestampReport> covering = inherited;
      for (std::size_t t = 0; t < own_timestamps; ++t) {
        const TimestampReport& ts = sig.timestamps[t];
        if (ts.indication == Indication::passed &&
            std::find(ts.counter_signatures.begin(), ts.counter_signatures.end(), k) != ts.counter_signatures.end()) {
          covering.push_back(ts);
          covering.back().counter_signatures.clear();  // positions among this signature's, not the countersignature's
          covering.back().covers.clear();
        }
      }
      validate_counter_signature(js.counter_signatures[k], js.signature, sig.id + "-CS-" + std::to_string(k + 1), sig.id,
                                 options, at, depth, covering, counters);
    }
    report.signatures.push_back(std::move(sig));
  }
  for (SignatureReport& c : counters) report.signatures.push_back(std::move(c));
  if (material.online) report.fetched = material.online->log;
  return report;
}

}  // namespace
}  // namespace qualsig::validation::detail
