// PAdES B-LT: the Document Security Store (EN 319 142-1 §5.4.2.2, ISO 32000-2 §12.8.4.3).
#include <algorithm>
#include <map>
#include <set>

#include "core/openssl.h"
#include "formats/pades.h"
#include "formats/pdf_signature.h"

namespace qualsig::formats::pdf {
namespace {

// Elements of one kind (certificates, OCSP responses or CRLs) already in the DSS are compared by
// their stream data; a DSS with more than this many is not searched for duplicates.
constexpr int kMaxExistingCompared = 10000;

enum class Kind { certificate, ocsp, crl };

// Strict DER check of one element: OpenSSL decodes it and nothing trails.
Result<void> check_der(Kind kind, const Bytes& der) {
  const unsigned char* p = der.data();
  bool good = false;
  switch (kind) {
    case Kind::certificate:
      good = core::wrap(d2i_X509(nullptr, &p, static_cast<long>(der.size()))) != nullptr;
      break;
    case Kind::ocsp: {
      auto resp = core::wrap(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
      good = resp != nullptr && OCSP_response_status(resp.get()) == OCSP_RESPONSE_STATUS_SUCCESSFUL;
      break;
    }
    case Kind::crl:
      good = core::wrap(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size()))) != nullptr;
      break;
  }
  if (!good || p != der.data() + der.size()) {
    const char* what = kind == Kind::certificate ? "certificate"
                       : kind == Kind::ocsp      ? "successful OCSP response"
                                                 : "CRL";
    return fail(core::openssl_error(ErrorCode::invalid_input, std::string("validation data: not one DER ") + what));
  }
  return ok();
}

// One DSS array (/Certs, /OCSPs or /CRLs): the existing entries plus streams for the new
// elements; `added` gets the references of every element of `data`, new or found.
void merge_array(QPDF& q, UpdateWriter& writer, QPDFObjectHandle dss, const char* key, const std::vector<Bytes>& data,
                 std::vector<QPDFObjectHandle>& added) {
  QPDFObjectHandle existing = dss.getKey(key);
  QPDFObjectHandle merged = QPDFObjectHandle::newArray();
  std::map<std::string, QPDFObjectHandle> known;
  if (existing.isArray()) {
    for (int i = 0; i < existing.getArrayNItems(); ++i) {
      QPDFObjectHandle item = existing.getArrayItem(i);
      merged.appendItem(item);
      if (i < kMaxExistingCompared && item.isStream() && item.isIndirect()) {
        // An element whose filters qpdf cannot decode is kept as it is, just not compared.
        Result<void> read = guarded("DSS stream", [&] {
          std::shared_ptr<Buffer> buffer = item.getStreamData(qpdf_dl_generalized);
          known.emplace(std::string(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize()), item);
        });
        if (!read) continue;
      }
    }
  }
  for (const Bytes& der : data) {
    std::string key_bytes(der.begin(), der.end());
    auto found = known.find(key_bytes);
    if (found != known.end()) {
      added.push_back(found->second);
      continue;
    }
    QPDFObjGen id = writer.new_object();
    writer.add(id, stream_body(QPDFObjectHandle::newDictionary(), der));
    QPDFObjectHandle ref = reference(q, id);
    merged.appendItem(ref);
    known.emplace(std::move(key_bytes), ref);
    added.push_back(ref);
  }
  if (merged.getArrayNItems() > 0) dss.replaceKey(key, merged);
}

QPDFObjectHandle array_of(const std::vector<QPDFObjectHandle>& items) { return QPDFObjectHandle::newArray(items); }

}  // namespace

Result<Bytes> dss_update(Input input, const cades::ValidationData& data) {
  if (data.certificates.empty() && data.ocsp_responses.empty() && data.crls.empty())
    return fail(ErrorCode::usage, "no validation data to add");
  for (const Bytes& der : data.certificates) QS_TRY_VOID(check_der(Kind::certificate, der));
  for (const Bytes& der : data.ocsp_responses) QS_TRY_VOID(check_der(Kind::ocsp, der));
  for (const Bytes& der : data.crls) QS_TRY_VOID(check_der(Kind::crl, der));

  QS_TRY(std::unique_ptr<Document> doc, open(input));
  QPDF& q = *doc->qpdf;
  UpdateWriter writer(*doc);
  std::string problem;
  QS_TRY_VOID(guarded("damaged PDF", [&] {
    if (q.getAllPages().empty()) {
      problem = "the PDF has no pages";
      return;
    }
    // VRI keys (ISO 32000-2 §12.8.4.4): upper-case hex SHA-1 of each signature's CMS.
    std::vector<std::string> vri_keys;
    for (SignatureField f : signature_fields(*doc)) {
      QPDFObjectHandle contents = f.signature.getKey("/Contents");
      if (!contents.isString()) continue;
      Bytes cms = strip_contents(contents.getStringValue());
      unsigned char sha1[SHA_DIGEST_LENGTH];
      SHA1(cms.data(), cms.size(), sha1);
      std::string hex = hex_encode(ByteView(sha1, sizeof(sha1)));
      std::transform(hex.begin(), hex.end(), hex.begin(),
                     [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
      vri_keys.push_back("/" + hex);
    }

    QPDFObjectHandle catalog = doc->root;
    QPDFObjectHandle existing = catalog.getKey("/DSS");
    if (!existing.isNull() && !existing.isDictionary()) {
      problem = "the catalog's /DSS is not a dictionary";
      return;
    }
    // The new DSS: a copy of the old one's entries (as written), then merged arrays.
    QPDFObjectHandle dss = existing.isDictionary() ? existing.shallowCopy() : QPDFObjectHandle::newDictionary();
    if (!existing.isDictionary()) dss.replaceKey("/Type", QPDFObjectHandle::newName("/DSS"));
    std::vector<QPDFObjectHandle> certs, ocsps, crls;
    merge_array(q, writer, dss, "/Certs", data.certificates, certs);
    merge_array(q, writer, dss, "/OCSPs", data.ocsp_responses, ocsps);
    merge_array(q, writer, dss, "/CRLs", data.crls, crls);

    QPDFObjectHandle old_vri = dss.getKey("/VRI");
    QPDFObjectHandle vri = old_vri.isDictionary() ? old_vri.shallowCopy() : QPDFObjectHandle::newDictionary();
    for (const std::string& key : vri_keys) {
      QPDFObjectHandle entry = vri.getKey(key);
      QPDFObjectHandle merged = entry.isDictionary() ? entry.shallowCopy() : QPDFObjectHandle::newDictionary();
      for (auto [name, refs] : {std::pair{"/Cert", &certs}, {"/OCSP", &ocsps}, {"/CRL", &crls}}) {
        if (refs->empty()) continue;
        QPDFObjectHandle list = merged.getKey(name);
        std::vector<QPDFObjectHandle> items =
            list.isArray() ? list.getArrayAsVector() : std::vector<QPDFObjectHandle>{};
        for (QPDFObjectHandle r : *refs) {
          bool present = std::any_of(items.begin(), items.end(), [&](QPDFObjectHandle& x) {
            return x.isIndirect() && x.getObjGen() == r.getObjGen();
          });
          if (!present) items.push_back(r);
        }
        merged.replaceKey(name, array_of(items));
      }
      vri.replaceKey(key, merged);
    }
    if (vri.getKeys().size() > 0) dss.replaceKey("/VRI", vri);

    if (existing.isIndirect()) {
      writer.add(existing.getObjGen(), dss.unparse());
    } else {
      QPDFObjGen id = writer.new_object();
      writer.add(id, dss.unparse());
      catalog.replaceKey("/DSS", reference(q, id));
      writer.add(catalog.getObjGen(), catalog.unparseResolved());
    }
  }));
  if (!problem.empty()) return fail(ErrorCode::invalid_input, problem);
  QS_TRY_VOID(check_warnings(*doc));
  return writer.finish();
}

}  // namespace qualsig::formats::pdf

namespace qualsig::formats::pades {

Result<Bytes> add_validation_data_increment(ByteView pdf, const cades::ValidationData& data) {
  return pdf::dss_update({pdf, {}}, data);
}

}  // namespace qualsig::formats::pades
