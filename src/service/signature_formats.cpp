// produce_signature: one request, one format. The levels of every format reuse the same three
// services: our TSA (B-T), our OCSP responder and CRLs (B-LT), an archive or document time-stamp
// (B-LTA).
#include "service/signature_formats.h"

#include <cstdio>

#include "formats/cades.h"
#include "formats/jades.h"
#include "formats/pades.h"
#include "formats/xades.h"
#include "service/ca_context.h"
#include "service/signature_service.h"

namespace qualsig::service {
namespace {

namespace cades = formats::cades;
namespace jades = formats::jades;
namespace pades = formats::pades;
namespace xades = formats::xades;

constexpr std::size_t kMaxJadesPayload = 64u << 20;  // a JWS is read whole; TS 119 182-1 has no limit
// A PDF is read whole (qpdf parses it from memory); the signed file is written as the original
// followed by the increment, so memory is about the document once.
constexpr std::size_t kMaxPdfContent = 512u << 20;

bool is_level(const std::string& level) {
  return level == "B-B" || level == "B-T" || level == "B-LT" || level == "B-LTA";
}

struct Common {
  cades::Level level = cades::Level::b_b;
  std::vector<const X509*> chain;
  cades::TimestampFn timestamp;
  cades::ValidationData validation_data;
};

Result<Common> common_options(TrustService& svc, const ProduceInput& in, TimePoint now) {
  auto level = cades::parse_level(in.level);
  if (!level) return fail(ErrorCode::database, "stored level '" + in.level + "' is unknown");
  QS_TRY(auto ca, svc.ca_context());
  Common c;
  c.level = *level;
  c.chain = {ca->issuing.get(), ca->root.get()};
  c.timestamp = timestamp_fn(svc, now);
  if (*level >= cades::Level::b_lt) {
    QS_TRY(c.validation_data, signer_validation_data(svc, in.certificate, now));
  }
  return c;
}

Result<Bytes> produce_cades(const ProduceInput& in, const Common& c, TimePoint now) {
  cades::SignOptions options;
  options.level = c.level;
  options.digest = in.digest;
  options.signing_time = now;
  options.chain = c.chain;
  options.timestamp = c.timestamp;
  options.validation_data = c.validation_data;
  if (in.format == kCadesCounterSignature) return cades::add_counter_signature(*in.content, in.certificate, *in.signer, options);
  if (in.detached) return cades::sign_detached(in.document_digest, in.certificate, *in.signer, options);
  return cades::sign_enveloping(*in.content, in.certificate, *in.signer, options);
}

Result<Bytes> produce_jades(const ProduceInput& in, const Common& c, TimePoint now) {
  jades::SignOptions options;
  options.level = jades::from_cades_level(c.level);
  // The compact form has no unprotected header for the etsiU time-stamp (TS 119 182-1 §5.3).
  options.serialization = c.level == cades::Level::b_b ? jades::Serialization::compact : jades::Serialization::json;
  options.detached = in.detached;
  options.signing_time = now;
  options.chain = c.chain;
  options.timestamp = c.timestamp;
  options.validation_data = c.validation_data;
  options.timestamp_digest = in.digest;
  if (in.detached && !in.content) {
    // Only the document's digest is here: the JWS names the document by reference with that
    // digest (TS 119 182-1 §5.2.8.3.3 sigD ObjectIdByURIHash, b64:false), as XAdES does with a
    // detached ds:Reference.
    jades::DetachedObjects objects;
    objects.digest = in.digest;
    objects.uris = {in.document_name.empty() || in.document_name[0] == '#' ? "document" : in.document_name};
    objects.digests = {in.document_digest};
    QS_TRY(auto text, jades::sign_jws_by_reference(objects, in.certificate, *in.signer, options));
    return Bytes(text.begin(), text.end());
  }
  QS_TRY(auto text, jades::sign_jws(*in.content, in.certificate, *in.signer, options));
  return Bytes(text.begin(), text.end());
}


Result<Bytes> produce_pades(const ProduceInput& in, const Common& c, TimePoint now) {
  pades::SignOptions options;
  options.certify = in.options.certify;
  options.reason = in.options.reason;
  options.location = in.options.location;
  if (in.options.visible) {
    const Appearance& a = *in.options.visible;
    pades::VisibleSignature v;
    v.page = a.page;
    v.llx = a.llx;
    v.lly = a.lly;
    v.urx = a.urx;
    v.ury = a.ury;
    v.text = "Signed by " + core::subject_attribute(in.certificate, NID_commonName);
    if (auto org = core::subject_attribute(in.certificate, NID_organizationName); !org.empty()) v.text += "\n" + org;
    v.text += "\n" + to_rfc3339(now);
    options.visible = std::move(v);
  }
  options.level = c.level;
  options.digest = in.digest;
  options.signing_time = now;
  options.chain = c.chain;
  options.timestamp = c.timestamp;
  options.validation_data = c.validation_data;
  return pades::sign_increment(*in.content, in.certificate, *in.signer, options);
}

// An XML document starts with '<' after an optional UTF-8 byte order mark and white space.
bool looks_like_xml(ByteView content) {
  std::size_t k = content.size() >= 3 && content[0] == 0xEF && content[1] == 0xBB && content[2] == 0xBF ? 3 : 0;
  while (k < content.size() && (content[k] == ' ' || content[k] == '\t' || content[k] == '\r' || content[k] == '\n')) ++k;
  return k < content.size() && content[k] == '<';
}

Result<Bytes> produce_xades(const ProduceInput& in, const Common& c, TimePoint now) {
  xades::SignOptions options;
  options.level = c.level;
  options.digest = in.digest;
  options.signing_time = now;
  options.chain = c.chain;
  options.timestamp = c.timestamp;
  options.validation_data = c.validation_data;
  if (!in.detached) {
    bool enveloped = in.options.packaging.empty() ? looks_like_xml(*in.content) : in.options.packaging == "enveloped";
    options.packaging = enveloped ? xades::Packaging::enveloped : xades::Packaging::enveloping;
    return xades::sign(*in.content, in.certificate, *in.signer, options);
  }
  options.packaging = xades::Packaging::detached;
  options.detached_uri = in.document_name.empty() || in.document_name[0] == '#' ? "document" : in.document_name;
  // The archive time-stamp covers the referenced data itself (EN 319 132-1 §5.5.2.2).
  if (c.level != cades::Level::b_lta) return xades::sign_detached(in.document_digest, in.certificate, *in.signer, options);
  options.level = cades::Level::b_lt;
  QS_TRY(auto lt, xades::sign_detached(in.document_digest, in.certificate, *in.signer, options));
  return xades::add_archive_timestamp(lt, ByteView(*in.content), c.timestamp, in.digest);
}

}  // namespace

Result<FormatOptions> parse_format_options(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return fail(ErrorCode::invalid_input, "format options must be a JSON object");
  FormatOptions o;
  for (const auto& [key, value] : j.items()) {
    if (key == "certify") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 1 || value.get<std::int64_t>() > 3)
        return fail(ErrorCode::invalid_input, "format option certify must be 1, 2 or 3 (DocMDP P)");
      o.certify = value.get<int>();
    } else if (key == "visible") {
      const auto& rect = value.is_object() && value.contains("rect") ? value["rect"] : nlohmann::json();
      const auto& page = value.is_object() && value.contains("page") ? value["page"] : nlohmann::json();
      if (!page.is_number_integer() || !rect.is_array() || rect.size() != 4 || value.size() != 2)
        return fail(ErrorCode::invalid_input, "format option visible must be {\"page\": N, \"rect\": [llx, lly, urx, ury]}");
      for (const auto& v : rect)
        if (!v.is_number()) return fail(ErrorCode::invalid_input, "format option visible.rect holds a non-number");
      Appearance a{page.get<int>(), rect[0].get<double>(), rect[1].get<double>(), rect[2].get<double>(), rect[3].get<double>()};
      if (a.page < 1 || a.urx <= a.llx || a.ury <= a.lly)
        return fail(ErrorCode::invalid_input, "format option visible needs a page >= 1 and a rectangle with urx > llx and ury > lly");
      o.visible = a;
    } else if (key == "reason" || key == "location" || key == "packaging") {
      if (!value.is_string() || value.get<std::string>().size() > 256)
        return fail(ErrorCode::invalid_input, "format option " + key + " must be a string of at most 256 bytes");
      (key == "reason" ? o.reason : key == "location" ? o.location : o.packaging) = value.get<std::string>();
    } else {
      return fail(ErrorCode::invalid_input, "unknown format option '" + key + "'");
    }
  }
  if (!o.packaging.empty() && o.packaging != "enveloped" && o.packaging != "enveloping")
    return fail(ErrorCode::invalid_input, "format option packaging must be enveloped or enveloping");
  return o;
}

nlohmann::json to_json(const FormatOptions& o) {
  nlohmann::json j = nlohmann::json::object();
  if (o.certify) j["certify"] = *o.certify;
  if (o.visible) j["visible"] = {{"page", o.visible->page}, {"rect", {o.visible->llx, o.visible->lly, o.visible->urx, o.visible->ury}}};
  if (!o.reason.empty()) j["reason"] = o.reason;
  if (!o.location.empty()) j["location"] = o.location;
  if (!o.packaging.empty()) j["packaging"] = o.packaging;
  return j;
}

Result<Appearance> parse_appearance(std::string_view text) {
  Appearance a;
  char tail = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%d:%lf,%lf,%lf,%lf%c", &a.page, &a.llx, &a.lly, &a.urx, &a.ury, &tail) != 5)
    return fail(ErrorCode::invalid_input, "--visible must be PAGE:LLX,LLY,URX,URY (PDF points), e.g. 1:36,36,236,96");
  nlohmann::json probe = {{"visible", {{"page", a.page}, {"rect", {a.llx, a.lly, a.urx, a.ury}}}}};
  QS_TRY(auto checked, parse_format_options(probe.dump()));
  return *checked.visible;
}

Result<void> check_format(const std::string& format, const std::string& level, bool detached, const FormatOptions& options) {
  if (format == kRaw) {
    if (level != kRawLevel || !detached)
      return fail(ErrorCode::invalid_input, "a raw signature value is detached and has no level (none)");
    if (options.certify || options.visible || !options.reason.empty() || !options.location.empty() || !options.packaging.empty())
      return fail(ErrorCode::invalid_input, "a raw signature value takes no format options");
    return ok();
  }
  if (!is_level(level)) return fail(ErrorCode::invalid_input, "level must be B-B, B-T, B-LT or B-LTA");
  if (format != kPades && (options.certify || options.visible || !options.reason.empty() || !options.location.empty()))
    return fail(ErrorCode::invalid_input, "certification, a visible appearance, reason and location are PAdES options");
  if (options.certify && (*options.certify < 1 || *options.certify > 3))
    return fail(ErrorCode::invalid_input, "certify must be 1, 2 or 3 (DocMDP P)");
  if (options.reason.size() > 256 || options.location.size() > 256)
    return fail(ErrorCode::invalid_input, "reason and location are at most 256 bytes");
  if (format != kXades && !options.packaging.empty())
    return fail(ErrorCode::invalid_input, "packaging is a XAdES option");
  if (format == kXades && detached && !options.packaging.empty())
    return fail(ErrorCode::invalid_input, "a detached XAdES signature has no packaging option");
  if (format == kCades) return ok();
  if (format == kCadesCounterSignature) {
    if (level != "B-B" || detached)
      return fail(ErrorCode::invalid_input, "a counter-signature is added to the signature file itself, at level B-B");
    return ok();
  }
  if (format == kJades) return ok();
  if (format == kPades) {
    if (detached) return fail(ErrorCode::invalid_input, "a PAdES signature is inside the PDF: it cannot be detached");
    return ok();
  }
  if (format == kXades) return ok();
  return fail(ErrorCode::invalid_input, "format '" + format + "' is unknown (cades, cades-countersignature, pades, xades, jades, raw)");
}

bool needs_content(const std::string& format, const std::string& level, bool detached) {
  // A detached JWS made from a digest names the document by reference (sigD), but its arcTst
  // needs the bytes, as a XAdES archive time-stamp does (EN 319 132-1 §5.5.2.2); a detached JWS
  // made with the content signs the unencoded payload itself (RFC 7797 §3).
  if (format == kCadesCounterSignature || format == kPades) return true;
  if ((format == kXades || format == kJades) && level == "B-LTA") return true;
  return !detached;
}

std::size_t max_content_size(const std::string& format) {
  if (format == kJades) return kMaxJadesPayload;
  if (format == kPades) return kMaxPdfContent;
  if (format == kXades) return xades::kMaxXmlSize;
  return cades::kMaxEnvelopedContent;
}

Result<Produced> produce_signature(TrustService& svc, const ProduceInput& in, TimePoint now) {
  if (!in.certificate || !in.signer) return fail(ErrorCode::usage, "produce_signature needs the certificate and its signer");
  if (in.format == kRaw) {
    if (in.document_digest.size() != core::digest_size(in.digest))
      return fail(ErrorCode::invalid_input, "the digest has the wrong length for its algorithm");
    auto scheme = in.scheme.value_or(in.signer->default_scheme());
    bool ec_key = in.signer->default_scheme() == hsm::SignatureScheme::ecdsa;
    if (ec_key != (scheme == hsm::SignatureScheme::ecdsa))
      return fail(ErrorCode::invalid_input, "the signature algorithm does not fit the credential's key");
    Produced raw;
    if (in.pss) {
      if (scheme != hsm::SignatureScheme::rsa_pss) return fail(ErrorCode::invalid_input, "RSASSA-PSS parameters for another scheme");
      QS_TRY(raw.signature, in.signer->sign_digest_pss(in.document_digest, in.digest, *in.pss));
    } else {
      QS_TRY(raw.signature, in.signer->sign_digest(in.document_digest, in.digest, scheme));
    }
    return raw;
  }
  if (needs_content(in.format, in.level, in.detached) && !in.content)
    return fail(ErrorCode::invalid_input, "a " + in.format + " signature needs the document content, not only its hash");
  QS_TRY(auto c, common_options(svc, in, now));
  Produced out;
  if (in.format == kCades || in.format == kCadesCounterSignature) {
    QS_TRY(out.signature, produce_cades(in, c, now));
  } else if (in.format == kJades) {
    QS_TRY(out.signature, produce_jades(in, c, now));
  } else if (in.format == kPades) {
    QS_TRY(out.signature, produce_pades(in, c, now));
    out.appended_to_document = true;
  } else if (in.format == kXades) {
    QS_TRY(out.signature, produce_xades(in, c, now));
  } else {
    return fail(ErrorCode::database, "stored format '" + in.format + "' is unknown");
  }
  return out;
}

}  // namespace qualsig::service
