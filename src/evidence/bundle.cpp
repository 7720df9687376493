// evidence/bundle.h: the bundle as one JSON document and back, strictly.
#include "evidence/bundle.h"

#include <set>

#include "core/canonical_json.h"

namespace qualsig::evidence {
namespace {

nlohmann::json b64(ByteView b) { return base64_encode(b); }
nlohmann::json b64_list(const std::vector<Bytes>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& b : v) a.push_back(base64_encode(b));
  return a;
}

// A reader over one JSON object that names the member it fails on and refuses members it was
// not asked for.
class Reader {
 public:
  Reader(const nlohmann::json& j, std::string path) : m_j(j), m_path(std::move(path)) {}

  Result<const nlohmann::json*> member(const std::string& name, bool required = true) {
    m_seen.insert(name);
    auto it = m_j.find(name);
    if (it == m_j.end()) {
      if (required) return fail(ErrorCode::invalid_input, "bundle: " + m_path + "/" + name + ": missing");
      return static_cast<const nlohmann::json*>(nullptr);
    }
    return &*it;
  }
  Result<std::string> string(const std::string& name) {
    QS_TRY(auto v, member(name));
    if (!v->is_string()) return fail(ErrorCode::invalid_input, "bundle: " + m_path + "/" + name + ": must be a string");
    return v->get<std::string>();
  }
  Result<std::int64_t> integer(const std::string& name) {
    QS_TRY(auto v, member(name));
    if (!v->is_number_integer()) return fail(ErrorCode::invalid_input, "bundle: " + m_path + "/" + name + ": must be an integer");
    return v->get<std::int64_t>();
  }
  Result<bool> boolean(const std::string& name) {
    QS_TRY(auto v, member(name));
    if (!v->is_boolean()) return fail(ErrorCode::invalid_input, "bundle: " + m_path + "/" + name + ": must be true or false");
    return v->get<bool>();
  }
  Result<TimePoint> time(const std::string& name) {
    QS_TRY(auto s, string(name));
    auto t = parse_rfc3339(s);
    if (!t) return fail(ErrorCode::invalid_input, "bundle: " + m_path + "/" + name + ": not an RFC 3339 time");
    return *t;
  }
  Result<Bytes> bytes(const std::string& name) {
    QS_TRY(auto s, string(name));
    return decode(s, m_path + "/" + name);
  }
  Result<std::vector<Bytes>> bytes_list(const std::string& name) {
    QS_TRY(auto v, member(name));
    if (!v->is_array()) return fail(ErrorCode::invalid_input, "bundle: " + m_path + "/" + name + ": must be an array");
    std::vector<Bytes> out;
    for (std::size_t i = 0; i < v->size(); ++i) {
      const auto& e = (*v)[i];
      auto where = m_path + "/" + name + "/" + std::to_string(i);
      if (!e.is_string()) return fail(ErrorCode::invalid_input, "bundle: " + where + ": must be a base64 string");
      QS_TRY(auto b, decode(e.get<std::string>(), where));
      out.push_back(std::move(b));
    }
    return out;
  }
  // A JSON value kept as it is (records); `kind` limits its type.
  Result<nlohmann::json> value(const std::string& name, nlohmann::json::value_t kind, bool nullable = false) {
    QS_TRY(auto v, member(name));
    if (v->type() != kind && !(nullable && v->is_null()))
      return fail(ErrorCode::invalid_input, "bundle: " + m_path + "/" + name + ": wrong type");
    return *v;
  }
  Result<void> no_other_members() const {
    for (const auto& [k, v] : m_j.items())
      if (!m_seen.count(k)) return fail(ErrorCode::invalid_input, "bundle: " + m_path + "/" + k + ": unknown member");
    return ok();
  }

 private:
  static Result<Bytes> decode(const std::string& s, const std::string& where) {
    auto b = base64_decode(s);
    if (!b) return fail(ErrorCode::invalid_input, "bundle: " + where + ": not base64");
    return std::move(*b);
  }
  const nlohmann::json& m_j;
  std::string m_path;
  std::set<std::string> m_seen;
};

}  // namespace

std::string to_json_text(const Bundle& b) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : b.entries) entries.push_back({{"seq", e.seq}, {"entry", e.entry}, {"proof", b64_list(e.proof)}});
  nlohmann::json document = {{"name", b.document_name}, {"hash", b.document_hash}, {"size", b.document_size}};
  if (b.document) document["content"] = b64(*b.document);
  nlohmann::json j = {
      {"schema", kBundleSchema},
      {"created_at", to_rfc3339(b.created_at)},
      {"signature", {{"id", b.signature_id}, {"format", b.format}, {"level", b.level}, {"detached", b.detached},
                     {"der", b64(b.signature)}}},
      {"document", document},
      {"certificates", {{"signer", b64(b.signer_certificate)}, {"chain", b64_list(b.chain)},
                        {"service", b64_list(b.service_certificates)}}},
      {"revocation", {{"ocsp_responses", b64_list(b.ocsp_responses)}, {"crls", b64_list(b.crls)}}},
      {"identity", b.identity},
      {"proofing", b.proofing},
      {"policy", b.policy},
      {"request", b.request},
      {"decision", b.decision},
      {"approvals", b.approvals},
      {"delegation", b.delegation},
      {"sad", b.sad},
      {"log", {{"origin", b.log_origin}, {"public_key", b64(b.log_public_key)}, {"checkpoint", b.checkpoint},
               {"entries", entries}}},
  };
  return j.dump(1) + "\n";
}

Result<Bundle> parse_bundle(std::string_view text) {
  if (text.size() > kMaxBundleBytes)
    return fail(ErrorCode::invalid_input, "bundle: larger than " + std::to_string(kMaxBundleBytes >> 20) + " MiB");
  auto parsed = core::parse_json_strict(text, 32);
  if (!parsed) return fail(ErrorCode::invalid_input, "bundle: " + parsed.error().message);
  const auto& j = *parsed;
  if (!j.is_object()) return fail(ErrorCode::invalid_input, "bundle: (root): must be an object");
  using T = nlohmann::json::value_t;
  Bundle b;
  Reader root(j, "");
  QS_TRY(auto schema, root.string("schema"));
  if (schema != kBundleSchema) return fail(ErrorCode::invalid_input, "bundle: /schema: not " + std::string(kBundleSchema));
  QS_TRY(b.created_at, root.time("created_at"));

  QS_TRY(auto sig, root.value("signature", T::object));
  Reader s(sig, "/signature");
  QS_TRY(b.signature_id, s.string("id"));
  QS_TRY(b.format, s.string("format"));
  QS_TRY(b.level, s.string("level"));
  QS_TRY(b.detached, s.boolean("detached"));
  QS_TRY(b.signature, s.bytes("der"));
  QS_TRY_VOID(s.no_other_members());

  QS_TRY(auto doc, root.value("document", T::object));
  Reader d(doc, "/document");
  QS_TRY(b.document_name, d.string("name"));
  QS_TRY(b.document_hash, d.string("hash"));
  QS_TRY(b.document_size, d.integer("size"));
  QS_TRY(auto content, d.member("content", false));
  if (content) {
    QS_TRY(b.document, d.bytes("content"));
  }
  QS_TRY_VOID(d.no_other_members());

  QS_TRY(auto certs, root.value("certificates", T::object));
  Reader c(certs, "/certificates");
  QS_TRY(b.signer_certificate, c.bytes("signer"));
  QS_TRY(b.chain, c.bytes_list("chain"));
  QS_TRY(b.service_certificates, c.bytes_list("service"));
  QS_TRY_VOID(c.no_other_members());

  QS_TRY(auto rev, root.value("revocation", T::object));
  Reader r(rev, "/revocation");
  QS_TRY(b.ocsp_responses, r.bytes_list("ocsp_responses"));
  QS_TRY(b.crls, r.bytes_list("crls"));
  QS_TRY_VOID(r.no_other_members());

  QS_TRY(b.identity, root.value("identity", T::object));
  QS_TRY(b.proofing, root.value("proofing", T::array));
  QS_TRY(b.policy, root.value("policy", T::object, true));
  QS_TRY(b.request, root.value("request", T::object));
  QS_TRY(b.decision, root.value("decision", T::object));
  QS_TRY(b.approvals, root.value("approvals", T::array));
  QS_TRY(b.delegation, root.value("delegation", T::array));
  QS_TRY(b.sad, root.value("sad", T::object));

  QS_TRY(auto log, root.value("log", T::object));
  Reader l(log, "/log");
  QS_TRY(b.log_origin, l.string("origin"));
  QS_TRY(b.log_public_key, l.bytes("public_key"));
  QS_TRY(b.checkpoint, l.string("checkpoint"));
  QS_TRY(auto entries, l.value("entries", T::array));
  QS_TRY_VOID(l.no_other_members());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto where = "/log/entries/" + std::to_string(i);
    if (!entries[i].is_object()) return fail(ErrorCode::invalid_input, "bundle: " + where + ": must be an object");
    Reader e(entries[i], where);
    LogEntryProof p;
    QS_TRY(auto seq, e.integer("seq"));
    if (seq < 0) return fail(ErrorCode::invalid_input, "bundle: " + where + "/seq: must be >= 0");
    p.seq = static_cast<std::uint64_t>(seq);
    QS_TRY(p.entry, e.string("entry"));
    QS_TRY(p.proof, e.bytes_list("proof"));
    QS_TRY_VOID(e.no_other_members());
    b.entries.push_back(std::move(p));
  }
  QS_TRY_VOID(root.no_other_members());
  return b;
}

}  // namespace qualsig::evidence
