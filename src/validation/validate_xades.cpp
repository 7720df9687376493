// XAdES validation (EN 319 132-1 signatures, validated per EN 319 102-1): the structure from
// formats::xades::inspect, XMLDSig core validation from formats::xades::verify, then the same
// building blocks and processes as CAdES with the ds:KeyInfo certificates, the CertificateValues /
// RevocationValues validation data and the SignatureTimeStamp / ArchiveTimeStamp tokens. Every
// XAdES ds:Signature of the document is validated (formats::xades numbers them: document order,
// then the counter-signatures, EN 319 132-1 §5.4.2), reported as S-1, S-2, ... and S-1-CS-1, ...
//
// The validation data and time-stamp elements are read here from the same bounded, DOCTYPE-free
// parse formats/ uses (xml::parse with xades::kMaxXmlSize / kMaxXmlDepth).

#include <openssl/ecdsa.h>
#include <openssl/rsa.h>
#include <openssl/ts.h>

#include <algorithm>
#include <string_view>

#include "formats/xades.h"
#include "formats/xml_document.h"
#include "formats/xml_xades.h"
#include "validation/path.h"

namespace qualsig::validation::detail {
namespace {

namespace xml = formats::xml;
namespace xades = formats::xades;

// Bytes of XML parsed for one validation at most (validate_xml).
constexpr std::size_t kXmlWorkBudget = 256u << 20;

// XAdES v1.2.2 namespace (ETSI TS 101 903 v1.2.2), read for old signatures only.
constexpr const char* kXades122Ns = "http://uri.etsi.org/01903/v1.2.2#";

std::string describe(const Verdict& v) {
  if (v.passed()) return "PASSED";
  return std::string(v.indication == Indication::failed ? "FAILED" : "INDETERMINATE") + ": " +
         (v.sub ? sub_indication_name(*v.sub) : "") + (v.reason.empty() ? "" : " (" + v.reason + ")");
}

// The parts of the first XAdES signature this file reads itself. `doc` owns every node.
struct Parts {
  xml::DocPtr doc;
  xmlNode* signature = nullptr;
  xmlNode* signed_info = nullptr;
  xmlNode* signature_value = nullptr;
  const char* xades_ns = xml::kXadesNs;
  // (EncapsulatedTimeStamp DER, canonicalisation URI of its time-stamp element)
  std::vector<std::pair<Bytes, std::string>> signature_timestamps;
  std::vector<Bytes> archive_timestamps;
  // The xades:SignatureTimeStamp / ArchiveTimeStamp element of each token (parallel vectors).
  std::vector<xmlNode*> signature_timestamp_elements, archive_timestamp_elements;
  // For each archive time-stamp: the signature's own counter-signatures (positions among them,
  // in document order) whose xades:CounterSignature precedes its ArchiveTimeStamp.
  std::vector<std::vector<std::size_t>> archive_counter_signatures;
  struct LegacyTimestamp {
    Bytes token;
    std::string c14n;
    xmlNode* element;  // SigAndRefsTimeStamp or RefsOnlyTimeStamp
    bool with_signature;  // SigAndRefsTimeStamp
  };
  std::vector<LegacyTimestamp> legacy_timestamps;
};

// XMLDSig 1.1 §4.4.3: the ds:Reference elements of SignedInfo that reference signed data, i.e. all
// but the one of Type SignedProperties (EN 319 132-1 §4.3.5.1 / TS 101 903 namespaces).
std::size_t data_references(const Parts& p) {
  std::size_t n = 0;
  for (xmlNode* ref : xml::children(p.signed_info, xml::kDsNs, "Reference")) {
    std::string type = xml::attribute(ref, "Type").value_or("");
    n += type == xml::kSignedPropertiesType || type.ends_with("SignedProperties") ? 0 : 1;
  }
  return n;
}

xmlNode* qualifying_properties(xmlNode* signature, const char*& ns) {
  for (const char* candidate : {xml::kXadesNs, kXades122Ns, xml::kXades111Ns}) {
    auto found = xml::descendants(signature, candidate, "QualifyingProperties");
    if (!found.empty()) {
      ns = candidate;
      return found.front();
    }
  }
  return nullptr;
}

// The (ns, name) elements of `signature` itself: not those of a counter-signature nested in it.
std::vector<xmlNode*> own_elements(xmlNode* signature, const char* ns, const char* name) {
  std::vector<xmlNode*> out;
  for (xmlNode* n : xml::descendants(signature, ns, name)) {
    xmlNode* up = n->parent;
    while (up != nullptr && !xml::is_element(up, xml::kDsNs, "Signature")) up = up->parent;
    if (up == signature) out.push_back(n);
  }
  return out;
}

std::vector<Bytes> encapsulated(xmlNode* element, const char* ns, const char* name) {
  std::vector<Bytes> out;
  for (xmlNode* n : xml::descendants(element, ns, name))
    if (auto der = xml::base64_content(n, name)) out.push_back(std::move(*der));
  return out;
}

// Locates XAdES signature `index` (the one formats::xades inspects and verifies for that index,
// xades::detail::xades_signatures) and its time-stamp tokens. Fails as xml::parse, or with
// invalid_input without one.
Result<Parts> locate(ByteView file, std::size_t index) {
  QS_TRY_VOID(xml::ensure_initialized());
  Parts p;
  QS_TRY(xml::DocPtr doc, xml::parse(file, xades::kMaxXmlSize, xades::kMaxXmlDepth));
  p.doc = std::move(doc);
  std::vector<xmlNode*> signatures = xades::detail::xades_signatures(p.doc.get());
  if (index >= signatures.size()) return fail(ErrorCode::invalid_input, "no XAdES signature number " + std::to_string(index + 1));
  p.signature = signatures[index];
  if (qualifying_properties(p.signature, p.xades_ns) == nullptr) return fail(ErrorCode::invalid_input, "no XAdES signature");
  p.signed_info = xml::first_child(p.signature, xml::kDsNs, "SignedInfo");
  p.signature_value = xml::first_child(p.signature, xml::kDsNs, "SignatureValue");
  for (xmlNode* ts : own_elements(p.signature, p.xades_ns, "SignatureTimeStamp")) {
    // EN 319 132-1 §5.3: without ds:CanonicalizationMethod, Canonical XML 1.0 applies.
    xmlNode* method = xml::first_child(ts, xml::kDsNs, "CanonicalizationMethod");
    std::string c14n = xml::attribute(method, "Algorithm").value_or(xml::kC14n10);
    for (Bytes& token : encapsulated(ts, p.xades_ns, "EncapsulatedTimeStamp")) {
      p.signature_timestamps.emplace_back(std::move(token), c14n);
      p.signature_timestamp_elements.push_back(ts);
    }
  }
  // XAdES-X (TS 101 903 §7.5.1, §7.5.2; the V2 forms of v1.4.1 §4.4.3, in its own namespace).
  for (const char* ns : {p.xades_ns, xml::kXades141Ns})
    for (const char* name : {"SigAndRefsTimeStamp", "RefsOnlyTimeStamp", "SigAndRefsTimeStampV2", "RefsOnlyTimeStampV2"})
      for (xmlNode* ts : own_elements(p.signature, ns, name)) {
        xmlNode* method = xml::first_child(ts, xml::kDsNs, "CanonicalizationMethod");
        std::string c14n = xml::attribute(method, "Algorithm").value_or(xml::kC14n10);
        for (Bytes& token : encapsulated(ts, p.xades_ns, "EncapsulatedTimeStamp"))
          p.legacy_timestamps.push_back({std::move(token), c14n, ts, std::string_view(name).starts_with("SigAndRefs")});
      }
  // EN 319 132-1 §5.5.2.2: an ArchiveTimeStamp covers the unsigned signature properties before it,
  // xades:CounterSignature elements included (their signatures with them).
  std::vector<xmlNode*> counters;
  for (xmlNode* s : signatures)
    if (xades::detail::countersigned(s) == p.signature) counters.push_back(s);
  auto covered_by = [&counters](xmlNode* archive) {
    std::vector<std::size_t> out;
    for (std::size_t k = 0; k < counters.size(); ++k)
      for (xmlNode* before = archive->prev; before != nullptr; before = before->prev)
        if (before == counters[k]->parent) {
          out.push_back(k);
          break;
        }
    return out;
  };
  for (const char* ns : {xml::kXades141Ns, p.xades_ns})
    for (xmlNode* ts : own_elements(p.signature, ns, "ArchiveTimeStamp"))
      for (Bytes& token : encapsulated(ts, p.xades_ns, "EncapsulatedTimeStamp")) {
        p.archive_timestamps.push_back(std::move(token));
        p.archive_timestamp_elements.push_back(ts);
        p.archive_counter_signatures.push_back(covered_by(ts));
      }
  return p;
}

// TS 101 903 v1.4.1 §7.5.1.1 (SigAndRefsTimeStamp): the imprint is over "the concatenation of the
// ... canonicalized" ds:SignatureValue and then "those among the following unsigned properties
// that appear before SigAndRefsTimeStamp, in their order of appearance within the
// UnsignedSignatureProperties element: SignatureTimeStamp, CompleteCertificateRefs,
// CompleteRevocationRefs, AttributeCertificateRefs, AttributeRevocationRefs"; §7.5.2.1
// (RefsOnlyTimeStamp) likewise without ds:SignatureValue and SignatureTimeStamp. Canonicalised
// with the time-stamp's own ds:CanonicalizationMethod. The V2 reference forms of v1.4.1 (in its
// namespace) take their predecessors' place.
Result<Bytes> xades_x_timestamp_input(const Parts& p, const Parts::LegacyTimestamp& ts) {
  Bytes input;
  auto append = [&](xmlNode* node) -> Result<void> {
    QS_TRY(Bytes c, xml::canonicalize(p.doc.get(), node, ts.c14n));
    input.insert(input.end(), c.begin(), c.end());
    return ok();
  };
  if (ts.with_signature) QS_TRY_VOID(append(p.signature_value));
  auto covered = [&](xmlNode* n) {
    for (const char* ns : {p.xades_ns, xml::kXades141Ns}) {
      if (ts.with_signature && xml::is_element(n, ns, "SignatureTimeStamp")) return true;
      for (const char* name : {"CompleteCertificateRefs", "CompleteRevocationRefs", "AttributeCertificateRefs",
                               "AttributeRevocationRefs", "CompleteCertificateRefsV2", "AttributeCertificateRefsV2"})
        if (xml::is_element(n, ns, name)) return true;
    }
    return false;
  };
  for (xmlNode* n = ts.element->parent != nullptr ? ts.element->parent->children : nullptr; n != nullptr && n != ts.element;
       n = n->next)
    if (n->type == XML_ELEMENT_NODE && covered(n)) QS_TRY_VOID(append(n));
  return input;
}

// The signature's own certificates (ds:KeyInfo, CertificateValues, also those inside
// TimeStampValidationData) and revocation values (RevocationValues CRLValues / OCSPValues).
void add_embedded_material(const Parts& p, Material& material) {
  std::vector<Bytes> certs = encapsulated(p.signature, xml::kDsNs, "X509Certificate");
  for (Bytes& c : encapsulated(p.signature, p.xades_ns, "EncapsulatedX509Certificate")) certs.push_back(std::move(c));
  for (const Bytes& der : certs)
    if (auto c = core::x509_from_der(der)) add_certificate(material, c->get());
  for (const Bytes& der : encapsulated(p.signature, p.xades_ns, "EncapsulatedOCSPValue")) add_ocsp_response(material, der);
  for (const Bytes& der : encapsulated(p.signature, p.xades_ns, "EncapsulatedCRLValue")) {
    const unsigned char* in = der.data();
    auto crl = core::wrap(d2i_X509_CRL(nullptr, &in, static_cast<long>(der.size())));
    if (crl && in == der.data() + der.size()) material.crls.push_back(std::move(crl));
  }
  ERR_clear_error();
}

// The hash of ds:SignatureMethod (XMLDSig 1.1 §6.4, RFC 6931 §2.3).
int signature_digest_nid(const Parts& p) { return xades::detail::signature_method_digest_nid(p.signed_info); }

// Whether ds:SignatureValue verifies over the canonical ds:SignedInfo with `signer`'s key; used
// only to tell apart the two causes xmlsec reports as one core-validation failure (a reference
// digest or the signature value).
std::optional<bool> signed_info_verifies(const Parts& p, X509* signer) {
  return xades::detail::signature_value_verifies(p.doc.get(), p.signed_info, p.signature_value, signer);
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// The messageImprint hashedMessage of a TimeStampToken (RFC 3161 §2.4.2); empty if unreadable.
Bytes token_imprint(ByteView token) {
  const unsigned char* in = token.data();
  auto p7 = core::wrap(d2i_PKCS7(nullptr, &in, static_cast<long>(token.size())));
  Bytes out;
  if (p7) {
    auto tst = core::wrap(PKCS7_to_TS_TST_INFO(p7.get()));
    const ASN1_OCTET_STRING* msg = tst ? TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(tst.get())) : nullptr;
    if (msg != nullptr) out.assign(ASN1_STRING_get0_data(msg), ASN1_STRING_get0_data(msg) + ASN1_STRING_length(msg));
  }
  ERR_clear_error();
  return out;
}

std::string level_name(const xades::SignatureInfo& info, std::size_t data_refs) {
  if (data_refs == 0) return "not a baseline profile";
  // EN 319 132-1 §6.3: a B-B signature carries SigningTime and the signing certificate in
  // ds:KeyInfo (the namespace version is not judged, as DSS does not judge it); a signature that references
  // no data object is not one either.
  if (!info.signing_time || info.signer_certificate.empty()) return "not a baseline profile";
  switch (info.level) {
    case formats::cades::Level::b_b: return "XAdES-BASELINE-B";
    case formats::cades::Level::b_t: return "XAdES-BASELINE-T";
    case formats::cades::Level::b_lt: return "XAdES-BASELINE-LT";
    case formats::cades::Level::b_lta: return "XAdES-BASELINE-LTA";
  }
  return "not a baseline profile";
}

// An XML document whose ds:Signature carries no XAdES QualifyingProperties (plain XMLDSig, e.g. a
// DigiDoc container): a report whose FC fails (EN 319 102-1 §5.2.2: not an AdES signature);
// nullopt for anything else (unacceptable XML, no ds:Signature).
std::optional<ValidationReport> plain_xmldsig(ByteView file, TimePoint at) {
  if (!xml::ensure_initialized()) return std::nullopt;
  auto doc = xml::parse(file, xades::kMaxXmlSize, xades::kMaxXmlDepth);
  if (!doc) return std::nullopt;
  auto signatures = xml::descendants(xmlDocGetRootElement(doc->get()), xml::kDsNs, "Signature");
  // A XAdES signature that inspect refused (duplicate Ids, a missing part) keeps inspect's error.
  if (signatures.empty() || !xades::detail::xades_signatures(doc->get()).empty()) return std::nullopt;
  ValidationReport report;
  report.document_format = "XAdES";
  report.validation_time = at;
  SignatureReport sig;
  sig.id = "S-1";
  sig.format = "XAdES";
  sig.level = "not a baseline profile";
  sig.best_signature_time = at;
  sig.indication = Indication::total_failed;
  sig.sub_indication = SubIndication::format_failure;
  const std::string why = "XMLDSig signature without XAdES QualifyingProperties (" + std::to_string(signatures.size()) +
                          " ds:Signature elements): not an AdES signature";
  sig.checks.emplace_back("FC (5.2.2)", "FAILED: FORMAT_FAILURE (" + why + ")");
  sig.reasons.push_back(why);
  report.signatures.push_back(std::move(sig));
  return report;
}

// EN 319 102-1 §5 for XAdES signature `index` of `file`, `info` being its inspection.
// `inherited`: PASSED archive time-stamps of the signatures this one countersigns that cover it,
// POEs of it too (EN 319 102-1 §5.6.2.4).
Result<SignatureReport> validate_signature(ByteView file, std::size_t index, const xades::SignatureInfo& info,
                                           const ValidationOptions& options, Material& material, TimePoint at,
                                           const std::vector<TimestampReport>& inherited) {
  auto located = locate(file, index);
  if (!located) return fail(ErrorCode::invalid_input, "not a XAdES signature qualsig can read: " + located.error().message);
  Parts& parts = *located;
  add_embedded_material(parts, material);

  SignatureReport sig;
  sig.id = "S-" + std::to_string(index + 1);
  sig.format = "XAdES";
  sig.level = level_name(info, data_references(parts));
  sig.best_signature_time = at;
  sig.claimed_signing_time = info.signing_time;
  if (parts.signature_value)
    if (auto value = xml::base64_content(parts.signature_value, "ds:SignatureValue")) sig.signature_value = std::move(*value);
  SignerBlocks b;
  b.signed_attributes = true;
  b.digest_nid = signature_digest_nid(parts);
  b.signing_time = info.signing_time;

  std::optional<ByteView> detached;
  if (info.packaging == xades::Packaging::detached && options.detached_content) detached = ByteView(*options.detached_content);
  auto verified = xades::verify(file, detached, index);
  const std::string why = verified ? std::string() : verified.error().message;
  // What xades::verify's failure means, by the check that produced it (xades.h documents the order:
  // signing certificate, reference targets, XMLDSig core, SignedProperties reference, time-stamp
  // imprints). The imprint failures come last, so core validation passed before them.
  const bool imprint_failure = !verified && (contains(why, "SignatureTimeStamp does not cover") ||
                                             contains(why, "ArchiveTimeStamp's imprint does not match"));
  const bool core_failure = !verified && contains(why, "XMLDSig core validation failed");
  const bool unresolved = !verified && (verified.error().code == ErrorCode::usage || contains(why, "could not be completed"));
  const bool no_signing_cert =
      info.signer_certificate.empty() ||
      (!verified && (contains(why, "signing certificate digest matches no") || contains(why, "no SigningCertificateV2")));
  // The data the signature must cover is not where it must be: a reference to a missing Id, to
  // another signature's Object, or no reference to this signature's own SignedProperties (XML
  // signature wrapping). EN 319 102-1 §5.2.7 step 1: the signed data object cannot be obtained.
  const bool wrapped = !verified && (contains(why, "points to an Id that does not exist") ||
                                     contains(why, "outside its signature") ||
                                     contains(why, "covers this signature's SignedProperties") ||
                                     contains(why, "references no data object"));

  sig.checks.emplace_back("FC (5.2.2)", "PASSED");
  if (!verified && !imprint_failure && !core_failure && !unresolved && !no_signing_cert && !wrapped) {
    // Malformed values, unsupported constructs (a Reference without URI, XSLT).
    b.fc = {Indication::failed, SubIndication::format_failure, why};
    sig.checks.back().second = describe(b.fc);
  }
  // ISC (§5.2.3): the KeyInfo certificate whose digest SigningCertificateV2 holds.
  if (no_signing_cert) {
    b.isc = {Indication::indeterminate, SubIndication::no_signing_certificate_found,
             info.signer_certificate.empty() ? "no certificate in ds:KeyInfo" : why};
  } else if (auto cert = core::x509_from_der(verified ? verified->signer_certificate : info.signer_certificate)) {
    b.signer = std::move(*cert);
    sig.signer_certificate = verified ? verified->signer_certificate : info.signer_certificate;
  } else {
    b.isc = {Indication::indeterminate, SubIndication::no_signing_certificate_found, "the signing certificate does not decode"};
  }
  if (b.fc.passed()) sig.checks.emplace_back("ISC (5.2.3)", describe(b.isc));
  if (b.fc.passed() && b.isc.passed()) {
    sig.checks.emplace_back("VCI (5.2.4)", "PASSED (no signature policy processed)");
    b.chain = build_chain(b.signer.get(), material, at);
    b.xcv = judge_chain(b.chain, at, true);
    sig.checks.emplace_back("XCV (5.2.6)", describe(b.xcv));
    for (int c = 0; b.chain.chain && c < sk_X509_num(b.chain.chain.get()); ++c)
      if (auto der = core::x509_to_der(sk_X509_value(b.chain.chain.get(), c))) sig.chain.push_back(*der);
    // CV (§5.2.7). xmlsec reports a reference digest mismatch and a bad SignatureValue as one
    // failure; the SignatureValue is checked here over ds:SignedInfo to tell them apart.
    if (data_references(parts) == 0) {
      b.cv = {Indication::indeterminate, SubIndication::signed_data_not_found, "ds:SignedInfo references no data object"};
    } else if (wrapped || unresolved) {
      b.cv = {Indication::indeterminate, SubIndication::signed_data_not_found, why};
    } else if (core_failure) {
      std::optional<bool> sv = signed_info_verifies(parts, b.signer.get());
      if (sv && *sv)
        b.cv = {Indication::failed, SubIndication::hash_failure, "a ds:Reference digest does not match its data"};
      else
        b.cv = {Indication::failed, SubIndication::sig_crypto_failure,
                sv ? "ds:SignatureValue does not verify over ds:SignedInfo"
                   : "XMLDSig core validation failed (reference digest or signature value: not distinguishable here)"};
    }
    sig.checks.emplace_back("CV (5.2.7)", describe(b.cv));
    b.sav = signature_acceptance(b, at);
    sig.checks.emplace_back("SAV (5.2.8)", describe(b.sav));
  }
  // EN 319 132-1 §5.3: the SignatureTimeStamp imprint is over the canonical ds:SignatureValue.
  for (const auto& [token, c14n] : parts.signature_timestamps) {
    sig.timestamps.push_back(validate_timestamp(
        token, "signature-time-stamp",
        [&parts, &c14n](const EVP_MD* md) -> Result<Bytes> {
          QS_TRY(Bytes input, xml::canonicalize(parts.doc.get(), parts.signature_value, c14n));
          unsigned char buf[EVP_MAX_MD_SIZE];
          unsigned int len = 0;
          if (EVP_Digest(input.data(), input.size(), buf, &len, md, nullptr) != 1)
            return fail(ErrorCode::crypto, "digest not computable");
          return Bytes(buf, buf + len);
        },
        material, at));
  }
  // §5.5.2.2: the archive imprint is recomputed by formats::xades::verify (the XMLDSig reference
  // processing needs xmlsec); it matched when verify passed, and did not when verify says so.
  const bool archive_mismatch = !verified && contains(why, "ArchiveTimeStamp's imprint does not match");
  for (std::size_t k = 0; k < parts.archive_timestamps.size(); ++k) {
    const Bytes& token = parts.archive_timestamps[k];
    sig.timestamps.push_back(validate_timestamp(
        token, "archive-time-stamp",
        [&token, &verified, archive_mismatch](const EVP_MD*) -> Result<Bytes> {
          if (verified) return token_imprint(token);
          if (archive_mismatch) return Bytes{};
          return fail(ErrorCode::usage, "archive time-stamp imprint not checked: the signature does not verify");
        },
        material, at));
    sig.timestamps.back().counter_signatures = parts.archive_counter_signatures[k];
  }
  for (const Parts::LegacyTimestamp& ts : parts.legacy_timestamps)
    sig.timestamps.push_back(validate_timestamp(
        ts.token, ts.with_signature ? "esc-time-stamp" : "cert-crl-time-stamp",
        [&parts, &ts](const EVP_MD* md) -> Result<Bytes> {
          QS_TRY(Bytes input, xades_x_timestamp_input(parts, ts));
          unsigned char buf[EVP_MAX_MD_SIZE];
          unsigned int len = 0;
          if (EVP_Digest(input.data(), input.size(), buf, &len, md, nullptr) != 1)
            return fail(ErrorCode::crypto, "digest not computable");
          return Bytes(buf, buf + len);
        },
        material, at));
  // EN 319 132-1 §5.5.2.2: an ArchiveTimeStamp covers the time-stamp elements before it among the
  // unsigned signature properties (the other time-stamps of its own element are not before it).
  std::vector<xmlNode*> elements = parts.signature_timestamp_elements;
  elements.insert(elements.end(), parts.archive_timestamp_elements.begin(), parts.archive_timestamp_elements.end());
  for (const Parts::LegacyTimestamp& ts : parts.legacy_timestamps) elements.push_back(ts.element);
  for (std::size_t k = 0; k < parts.archive_timestamp_elements.size(); ++k) {
    xmlNode* archive = parts.archive_timestamp_elements[k];
    TimestampReport& t = sig.timestamps[parts.signature_timestamps.size() + k];
    for (std::size_t e = 0; e < elements.size() && e < sig.timestamps.size(); ++e)
      for (xmlNode* before = archive->prev; before != nullptr; before = before->prev)
        if (before == elements[e]) {
          t.covers.push_back(e);
          break;
        }
  }
  sig.timestamps.insert(sig.timestamps.end(), inherited.begin(), inherited.end());
  conclude(b, false, sig);
  return sig;
}

}  // namespace

// Every XAdES signature of the document (xades::detail::xades_signatures: the signatures, then
// their counter-signatures), each through the same blocks, sharing the validation material.
Result<ValidationReport> validate_xml(ByteView file, const ValidationOptions& options, TimePoint at) {
  auto first = xades::inspect(file);
  if (!first) {
    if (auto plain = plain_xmldsig(file, at)) return std::move(*plain);
    return fail(ErrorCode::invalid_input, "not a XAdES signature qualsig can read: " + first.error().message);
  }
  QS_TRY(Material material, material_from_options(options));
  ValidationReport report;
  report.document_format = "XAdES";
  report.validation_time = at;
  // Each signature parses the document again (inspect, locate, verify): the work is bounded by
  // the signatures times the size, so that a hostile file of many signatures cannot hang the
  // validator. 64 signatures for documents up to 4 MiB, fewer above (4 for the 64 MiB maximum).
  const std::size_t count = first->xades_signature_count;
  const std::size_t most = std::clamp<std::size_t>(kXmlWorkBudget / std::max<std::size_t>(file.size(), 1), 1, 64);
  if (count > most)
    return fail(ErrorCode::invalid_input, "the document holds " + std::to_string(count) +
                                              " XAdES signatures; qualsig validates at most " + std::to_string(most) +
                                              " in a document of this size");
  // Ids: S-1, S-2, ... for the signatures, then "<parent>-CS-<n>" for counter-signatures. One
  // signature has none: the document is not parsed again for it.
  std::vector<std::string> ids(count), parents(count);
  // A counter-signature's parent (index) and its position among the parent's counter-signatures.
  std::vector<std::optional<std::pair<std::size_t, std::size_t>>> parent_of(count);
  if (count == 1) {
    ids[0] = "S-1";
  } else {
    QS_TRY(xml::DocPtr doc, xml::parse(file, xades::kMaxXmlSize, xades::kMaxXmlDepth));
    std::vector<xmlNode*> nodes = xades::detail::xades_signatures(doc.get());
    if (nodes.size() != count) return fail(ErrorCode::internal, "XAdES signatures counted twice differ");
    std::vector<std::size_t> counters_of(count, 0);
    for (std::size_t i = 0; i < count; ++i) {
      xmlNode* parent = xades::detail::countersigned(nodes[i]);
      auto at_parent = std::find(nodes.begin(), nodes.begin() + static_cast<std::ptrdiff_t>(i), parent);
      if (parent == nullptr || at_parent == nodes.begin() + static_cast<std::ptrdiff_t>(i)) {
        ids[i] = "S-" + std::to_string(i + 1);
        continue;
      }
      std::size_t p = static_cast<std::size_t>(at_parent - nodes.begin());
      parents[i] = ids[p];
      parent_of[i] = std::pair{p, counters_of[p]};
      ids[i] = ids[p] + "-CS-" + std::to_string(++counters_of[p]);
    }
  }
  // The POEs each signature passes to its counter-signatures: what it inherited itself, and its
  // own PASSED archive time-stamps that cover the counter-signature (parents come first).
  std::vector<std::vector<TimestampReport>> inherited(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (parent_of[i]) {
      const auto [p, position] = *parent_of[i];
      inherited[i] = inherited[p];
      for (const TimestampReport& t : report.signatures[p].timestamps)
        if (t.indication == Indication::passed &&
            std::find(t.counter_signatures.begin(), t.counter_signatures.end(), position) != t.counter_signatures.end()) {
          inherited[i].push_back(t);
          inherited[i].back().counter_signatures.clear();  // positions among the parent's, not this one's
          inherited[i].back().covers.clear();
        }
    }
    auto info = i == 0 ? std::move(first) : xades::inspect(file, i);
    if (!info) return fail(ErrorCode::invalid_input, "not a XAdES signature qualsig can read: " + info.error().message);
    QS_TRY(SignatureReport sig, validate_signature(file, i, *info, options, material, at, inherited[i]));
    sig.id = ids[i];
    sig.counter_signature_of = parents[i];
    report.signatures.push_back(std::move(sig));
  }
  if (material.online) report.fetched = material.online->log;
  return report;
}

}  // namespace qualsig::validation::detail
