#include "pki/qc_statements.h"

#include <openssl/asn1t.h>
#include <openssl/objects.h>
#include <openssl/safestack.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>

#include "core/openssl.h"
#include "pki/oids.h"

// ---------------------------------------------------------------------------------------------
// ASN.1 templates. OpenSSL's macros define functions with external linkage, so the types carry a
// QS_ prefix and live at global scope, declared before they are implemented.

// The template macros below are laid out by hand; a formatter does not understand them.
// clang-format off

// RFC 3739 §3.2.6:
//   QCStatement ::= SEQUENCE {
//       statementId   QC-STATEMENT.&id({SupportedStatements}),
//       statementInfo QC-STATEMENT.&Type({SupportedStatements}{@statementId}) OPTIONAL }
struct QS_QC_STATEMENT {
  ASN1_OBJECT* statement_id;
  ASN1_TYPE* statement_info;  // null when absent
};
DECLARE_ASN1_FUNCTIONS(QS_QC_STATEMENT)
DEFINE_STACK_OF(QS_QC_STATEMENT)
ASN1_SEQUENCE(QS_QC_STATEMENT) = {
    ASN1_SIMPLE(QS_QC_STATEMENT, statement_id, ASN1_OBJECT),
    ASN1_OPT(QS_QC_STATEMENT, statement_info, ASN1_ANY),
} ASN1_SEQUENCE_END(QS_QC_STATEMENT)
IMPLEMENT_ASN1_FUNCTIONS(QS_QC_STATEMENT)

//   QCStatements ::= SEQUENCE OF QCStatement
typedef STACK_OF(QS_QC_STATEMENT) QS_QC_STATEMENTS;
DECLARE_ASN1_FUNCTIONS(QS_QC_STATEMENTS)
ASN1_ITEM_TEMPLATE(QS_QC_STATEMENTS) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, QCStatements, QS_QC_STATEMENT)
ASN1_ITEM_TEMPLATE_END(QS_QC_STATEMENTS)
IMPLEMENT_ASN1_FUNCTIONS(QS_QC_STATEMENTS)

// ETSI EN 319 412-5 Annex B:
//   PdsLocation ::= SEQUENCE {
//       url      IA5String,
//       language PrintableString (SIZE(2))}  --ISO 639-1 language code
struct QS_PDS_LOCATION {
  ASN1_IA5STRING* url;
  ASN1_PRINTABLESTRING* language;
};
DECLARE_ASN1_FUNCTIONS(QS_PDS_LOCATION)
DEFINE_STACK_OF(QS_PDS_LOCATION)
ASN1_SEQUENCE(QS_PDS_LOCATION) = {
    ASN1_SIMPLE(QS_PDS_LOCATION, url, ASN1_IA5STRING),
    ASN1_SIMPLE(QS_PDS_LOCATION, language, ASN1_PRINTABLESTRING),
} ASN1_SEQUENCE_END(QS_PDS_LOCATION)
IMPLEMENT_ASN1_FUNCTIONS(QS_PDS_LOCATION)

//   PdsLocations ::= SEQUENCE SIZE (1..MAX) OF PdsLocation
typedef STACK_OF(QS_PDS_LOCATION) QS_PDS_LOCATIONS;
DECLARE_ASN1_FUNCTIONS(QS_PDS_LOCATIONS)
ASN1_ITEM_TEMPLATE(QS_PDS_LOCATIONS) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, PdsLocations, QS_PDS_LOCATION)
ASN1_ITEM_TEMPLATE_END(QS_PDS_LOCATIONS)
IMPLEMENT_ASN1_FUNCTIONS(QS_PDS_LOCATIONS)

//   QcType ::= SEQUENCE OF OBJECT IDENTIFIER (id-etsi-qct-esign | id-etsi-qct-eseal |
//                                              id-etsi-qct-web, ...)
typedef STACK_OF(ASN1_OBJECT) QS_QC_TYPE;
DECLARE_ASN1_FUNCTIONS(QS_QC_TYPE)
ASN1_ITEM_TEMPLATE(QS_QC_TYPE) = ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, QcType, ASN1_OBJECT)
ASN1_ITEM_TEMPLATE_END(QS_QC_TYPE)
IMPLEMENT_ASN1_FUNCTIONS(QS_QC_TYPE)

//   QcCClegislation ::= SEQUENCE OF CountryName
//   CountryName ::= PrintableString (SIZE (2)) (ISO 3166 alpha-2)
typedef ASN1_STRING QS_COUNTRY_NAME;
DEFINE_STACK_OF(QS_COUNTRY_NAME)
typedef STACK_OF(QS_COUNTRY_NAME) QS_QC_CC_LEGISLATION;
DECLARE_ASN1_FUNCTIONS(QS_QC_CC_LEGISLATION)
ASN1_ITEM_TEMPLATE(QS_QC_CC_LEGISLATION) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, QcCClegislation, ASN1_PRINTABLESTRING)
ASN1_ITEM_TEMPLATE_END(QS_QC_CC_LEGISLATION)
IMPLEMENT_ASN1_FUNCTIONS(QS_QC_CC_LEGISLATION)

    // clang-format on

    // ---------------------------------------------------------------------------------------------

    namespace qualsig::pki {
  namespace {

  // Owners for the template types above (STYLE.md §3: one RAII idiom, per-type deleters).
  template <typename T, void (*Free)(T*)>
  struct FreeWith {
    void operator()(T* p) const noexcept { Free(p); }
  };
  using StatementPtr = std::unique_ptr<QS_QC_STATEMENT, FreeWith<QS_QC_STATEMENT, QS_QC_STATEMENT_free>>;
  using StatementsPtr = std::unique_ptr<QS_QC_STATEMENTS, FreeWith<QS_QC_STATEMENTS, QS_QC_STATEMENTS_free>>;
  using PdsLocationPtr = std::unique_ptr<QS_PDS_LOCATION, FreeWith<QS_PDS_LOCATION, QS_PDS_LOCATION_free>>;
  using PdsLocationsPtr = std::unique_ptr<QS_PDS_LOCATIONS, FreeWith<QS_PDS_LOCATIONS, QS_PDS_LOCATIONS_free>>;
  using QcTypePtr = std::unique_ptr<QS_QC_TYPE, FreeWith<QS_QC_TYPE, QS_QC_TYPE_free>>;
  using LegislationPtr =
      std::unique_ptr<QS_QC_CC_LEGISLATION, FreeWith<QS_QC_CC_LEGISLATION, QS_QC_CC_LEGISLATION_free>>;
  using TypePtr = std::unique_ptr<ASN1_TYPE, FreeWith<ASN1_TYPE, ASN1_TYPE_free>>;
  struct OpenSslFree {
    void operator()(unsigned char* p) const noexcept { OPENSSL_free(p); }
  };
  using DerPtr = std::unique_ptr<unsigned char, OpenSslFree>;

  Result<Bytes> to_der(int len, unsigned char* out, const char* what) {
    DerPtr owned(out);
    if (len <= 0 || out == nullptr)
      return fail(core::openssl_error(ErrorCode::internal, std::string("cannot encode ") + what));
    return Bytes(out, out + len);
  }

  // One decoder for every template type: d2i, then refuse trailing data and anything that does not
  // re-encode to the same bytes (DER is the unique encoding; OpenSSL's d2i also accepts BER).
  template <typename T, T* (*D2i)(T**, const unsigned char**, long), int (*I2d)(const T*, unsigned char**),
            void (*Free)(T*)>
  Result<std::unique_ptr<T, FreeWith<T, Free>>> decode_strict(ByteView der, const std::string& what) {
    if (der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX))
      return fail(ErrorCode::invalid_input, what + " is empty or too large");
    const unsigned char* p = der.data();
    std::unique_ptr<T, FreeWith<T, Free>> value(D2i(nullptr, &p, static_cast<long>(der.size())));
    if (!value) return fail(core::openssl_error(ErrorCode::invalid_input, what + " is not well-formed DER"));
    if (p != der.data() + der.size()) return fail(ErrorCode::invalid_input, what + " is followed by trailing data");
    unsigned char* out = nullptr;
    const int len = I2d(value.get(), &out);
    DerPtr owned(out);
    if (len <= 0 || static_cast<std::size_t>(len) != der.size() || std::memcmp(out, der.data(), der.size()) != 0)
      return fail(ErrorCode::invalid_input, what + " is not in DER (distinguished) form");
    return value;
  }

  std::string oid_text(const ASN1_OBJECT* obj) {
    char buf[128];
    const int n = OBJ_obj2txt(buf, sizeof(buf), obj, 1);
    if (n <= 0 || static_cast<std::size_t>(n) >= sizeof(buf)) return {};
    return std::string(buf, static_cast<std::size_t>(n));
  }

  std::string string_of(const ASN1_STRING* s) {
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<std::size_t>(ASN1_STRING_length(s)));
  }

  bool two_letters(const std::string& s, bool lower, bool upper) {
    if (s.size() != 2) return false;
    return std::all_of(s.begin(), s.end(),
                       [&](char c) { return (lower && c >= 'a' && c <= 'z') || (upper && c >= 'A' && c <= 'Z'); });
  }

  // --- encoding --------------------------------------------------------------------------------

  Result<void> check_encodable(const QcStatements& s) {
    if (!s.other_statement_oids.empty())
      return fail(ErrorCode::invalid_input, "qualsig does not issue the statement " + s.other_statement_oids.front() +
                                                " (other_statement_oids are decode-only)");
    if (!s.compliance && !s.sscd && s.types.empty() && s.pds.empty() && !s.retention_years &&
        s.legislation_countries.empty())
      return fail(ErrorCode::invalid_input, "no QC statement to encode");
    // EN 319 412-5 §4.2.3: the certificate is issued "as one and only one" of the purposes.
    if (s.types.size() > 1)
      return fail(ErrorCode::invalid_input, "QcType must name one purpose only (EN 319 412-5 §4.2.3)");
    for (const auto& t : s.types)
      if (t != oid::kQctEsign && t != oid::kQctEseal && t != oid::kQctWeb)
        return fail(ErrorCode::invalid_input, "QcType " + t + " is none of esign, eseal, web (EN 319 412-5 §4.2.3)");
    for (const auto& p : s.pds) {
      // EN 319 412-5 §4.3.4: the PDS is published at an https URL; the URL is an IA5String.
      if (p.url.rfind("https://", 0) != 0 || p.url.size() <= 8)
        return fail(ErrorCode::invalid_input, "PDS URL must be an https:// URL (EN 319 412-5 §4.3.4): " + p.url);
      for (unsigned char c : p.url)
        if (c <= 0x20 || c >= 0x7f)
          return fail(ErrorCode::invalid_input, "PDS URL must be ASCII without spaces or control characters");
      if (!two_letters(p.language, true, false))
        return fail(ErrorCode::invalid_input,
                    "PDS language must be an ISO 639-1 code of two lower-case letters: " + p.language);
    }
    // EN 319 412-5 §4.3.3: a retention period "expressed as a number of years after the expiry date".
    if (s.retention_years && *s.retention_years <= 0)
      return fail(ErrorCode::invalid_input,
                  "retention period must be a positive number of years (EN 319 412-5 §4.3.3)");
    for (const auto& c : s.legislation_countries)
      if (!two_letters(c, false, true))
        return fail(ErrorCode::invalid_input,
                    "legislation country must be ISO 3166-1 alpha-2 (EN 319 412-5 §4.2.4): " + c);
    return ok();
  }

  Result<ASN1_STRING*> new_string(int type, const std::string& value) {
    ASN1_STRING* s = ASN1_STRING_type_new(type);
    if (s == nullptr || ASN1_STRING_set(s, value.data(), static_cast<int>(value.size())) != 1) {
      ASN1_STRING_free(s);
      return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
    }
    return s;
  }

  // Packs a template value as the statementInfo ANY (its DER becomes a V_ASN1_SEQUENCE ASN1_TYPE).
  Result<TypePtr> pack(const ASN1_ITEM* item, void* value) {
    TypePtr t(ASN1_TYPE_pack_sequence(item, value, nullptr));
    if (!t) return fail(core::openssl_error(ErrorCode::internal, "cannot encode statementInfo"));
    return t;
  }

  class StatementList {
   public:
    StatementList() : m_list(QS_QC_STATEMENTS_new()) {}

    Result<void> add(const char* oid, TypePtr info) {
      StatementPtr st(QS_QC_STATEMENT_new());
      ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
      if (!m_list || !st || obj == nullptr) {
        ASN1_OBJECT_free(obj);
        return fail(core::openssl_error(ErrorCode::internal, "cannot build QCStatement"));
      }
      ASN1_OBJECT_free(st->statement_id);
      st->statement_id = obj;
      st->statement_info = info.release();  // owned by st from here on
      if (sk_QS_QC_STATEMENT_push(m_list.get(), st.get()) <= 0)
        return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
      (void)st.release();  // owned by the list
      return ok();
    }

    Result<Bytes> der() const {
      unsigned char* out = nullptr;
      const int len = i2d_QS_QC_STATEMENTS(m_list.get(), &out);
      return to_der(len, out, "QCStatements");
    }

   private:
    StatementsPtr m_list;
  };

  Result<TypePtr> qc_type_info(const std::vector<std::string>& types) {
    QcTypePtr seq(sk_ASN1_OBJECT_new_null());
    if (!seq) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
    for (const auto& t : types) {
      ASN1_OBJECT* obj = OBJ_txt2obj(t.c_str(), 1);
      if (obj == nullptr || sk_ASN1_OBJECT_push(seq.get(), obj) <= 0) {
        ASN1_OBJECT_free(obj);
        return fail(core::openssl_error(ErrorCode::internal, "cannot encode QcType"));
      }
    }
    return pack(ASN1_ITEM_rptr(QS_QC_TYPE), seq.get());
  }

  Result<TypePtr> pds_info(const std::vector<QcStatements::Pds>& pds) {
    PdsLocationsPtr seq(sk_QS_PDS_LOCATION_new_null());
    if (!seq) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
    for (const auto& p : pds) {
      PdsLocationPtr loc(QS_PDS_LOCATION_new());
      if (!loc) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
      QS_TRY(ASN1_STRING * url, new_string(V_ASN1_IA5STRING, p.url));
      ASN1_IA5STRING_free(loc->url);
      loc->url = url;
      QS_TRY(ASN1_STRING * language, new_string(V_ASN1_PRINTABLESTRING, p.language));
      ASN1_PRINTABLESTRING_free(loc->language);
      loc->language = language;
      if (sk_QS_PDS_LOCATION_push(seq.get(), loc.get()) <= 0)
        return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
      (void)loc.release();
    }
    return pack(ASN1_ITEM_rptr(QS_PDS_LOCATIONS), seq.get());
  }

  Result<TypePtr> retention_info(int years) {
    TypePtr t(ASN1_TYPE_new());
    ASN1_INTEGER* n = ASN1_INTEGER_new();
    if (!t || n == nullptr || ASN1_INTEGER_set_int64(n, years) != 1) {
      ASN1_INTEGER_free(n);
      return fail(core::openssl_error(ErrorCode::internal, "cannot encode QcRetentionPeriod"));
    }
    ASN1_TYPE_set(t.get(), V_ASN1_INTEGER, n);  // takes n
    return t;
  }

  Result<TypePtr> legislation_info(const std::vector<std::string>& countries) {
    LegislationPtr seq(sk_QS_COUNTRY_NAME_new_null());
    if (!seq) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
    for (const auto& c : countries) {
      QS_TRY(ASN1_STRING * s, new_string(V_ASN1_PRINTABLESTRING, c));
      if (sk_QS_COUNTRY_NAME_push(seq.get(), s) <= 0) {
        ASN1_STRING_free(s);
        return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
      }
    }
    return pack(ASN1_ITEM_rptr(QS_QC_CC_LEGISLATION), seq.get());
  }

  // --- decoding --------------------------------------------------------------------------------

  // The DER of a statementInfo that must be a SEQUENCE (QcType, PdsLocations, QcCClegislation).
  Result<ByteView> sequence_info(const QS_QC_STATEMENT& st, const std::string& name) {
    const ASN1_TYPE* info = st.statement_info;
    if (info == nullptr) return fail(ErrorCode::invalid_input, name + " statement has no statementInfo");
    if (info->type != V_ASN1_SEQUENCE) return fail(ErrorCode::invalid_input, name + " statementInfo is not a SEQUENCE");
    const ASN1_STRING* raw = info->value.sequence;
    return ByteView(ASN1_STRING_get0_data(raw), static_cast<std::size_t>(ASN1_STRING_length(raw)));
  }

  Result<void> decode_qc_type(const QS_QC_STATEMENT& st, QcStatements& out) {
    QS_TRY(ByteView der, sequence_info(st, "QcType"));
    QS_TRY(auto seq, (decode_strict<QS_QC_TYPE, d2i_QS_QC_TYPE, i2d_QS_QC_TYPE, QS_QC_TYPE_free>(der, "QcType")));
    // EN 319 412-5 §4.2.3: the statement declares the purpose, so an empty list says nothing.
    if (sk_ASN1_OBJECT_num(seq.get()) <= 0) return fail(ErrorCode::invalid_input, "QcType lists no type");
    for (int i = 0; i < sk_ASN1_OBJECT_num(seq.get()); ++i) {
      std::string t = oid_text(sk_ASN1_OBJECT_value(seq.get(), i));
      if (t.empty()) return fail(ErrorCode::invalid_input, "QcType holds an unprintable OID");
      out.types.push_back(std::move(t));
    }
    return ok();
  }

  Result<void> decode_pds(const QS_QC_STATEMENT& st, QcStatements& out) {
    QS_TRY(ByteView der, sequence_info(st, "QcPDS"));
    QS_TRY(auto seq,
           (decode_strict<QS_PDS_LOCATIONS, d2i_QS_PDS_LOCATIONS, i2d_QS_PDS_LOCATIONS, QS_PDS_LOCATIONS_free>(
               der, "PdsLocations")));
    // PdsLocations ::= SEQUENCE SIZE (1..MAX) OF PdsLocation
    if (sk_QS_PDS_LOCATION_num(seq.get()) <= 0) return fail(ErrorCode::invalid_input, "PdsLocations is empty");
    for (int i = 0; i < sk_QS_PDS_LOCATION_num(seq.get()); ++i) {
      const QS_PDS_LOCATION* loc = sk_QS_PDS_LOCATION_value(seq.get(), i);
      QcStatements::Pds pds{string_of(loc->url), string_of(loc->language)};
      if (pds.url.empty()) return fail(ErrorCode::invalid_input, "PdsLocation has an empty URL");
      // language PrintableString (SIZE(2)) --ISO 639-1 language code
      if (!two_letters(pds.language, true, true))
        return fail(ErrorCode::invalid_input, "PdsLocation language is not a two-letter ISO 639-1 code");
      out.pds.push_back(std::move(pds));
    }
    return ok();
  }

  Result<void> decode_retention(const QS_QC_STATEMENT& st, QcStatements& out) {
    // QcEuRetentionPeriod ::= INTEGER
    const ASN1_TYPE* info = st.statement_info;
    if (info == nullptr || info->type != V_ASN1_INTEGER)
      return fail(ErrorCode::invalid_input, "QcRetentionPeriod statementInfo is not an INTEGER");
    std::int64_t years = 0;
    if (ASN1_INTEGER_get_int64(&years, info->value.integer) != 1 || years <= 0 || years > INT_MAX)
      return fail(core::openssl_error(ErrorCode::invalid_input, "QcRetentionPeriod is not a positive number of years"));
    out.retention_years = static_cast<int>(years);
    return ok();
  }

  Result<void> decode_legislation(const QS_QC_STATEMENT& st, QcStatements& out) {
    QS_TRY(ByteView der, sequence_info(st, "QcCClegislation"));
    QS_TRY(auto seq, (decode_strict<QS_QC_CC_LEGISLATION, d2i_QS_QC_CC_LEGISLATION, i2d_QS_QC_CC_LEGISLATION,
                                    QS_QC_CC_LEGISLATION_free>(der, "QcCClegislation")));
    if (sk_QS_COUNTRY_NAME_num(seq.get()) <= 0)
      return fail(ErrorCode::invalid_input, "QcCClegislation names no country");
    for (int i = 0; i < sk_QS_COUNTRY_NAME_num(seq.get()); ++i) {
      std::string c = string_of(sk_QS_COUNTRY_NAME_value(seq.get(), i));
      if (!two_letters(c, true, true))
        return fail(ErrorCode::invalid_input, "QcCClegislation country is not two letters");
      out.legislation_countries.push_back(std::move(c));
    }
    return ok();
  }

  }  // namespace

  Result<Bytes> encode_qc_statements(const QcStatements& s) {
    QS_TRY_VOID(check_encodable(s));
    StatementList list;
    if (s.compliance) QS_TRY_VOID(list.add(oid::kQcsQcCompliance, nullptr));
    if (s.retention_years) {
      QS_TRY(TypePtr info, retention_info(*s.retention_years));
      QS_TRY_VOID(list.add(oid::kQcsQcRetentionPeriod, std::move(info)));
    }
    if (s.sscd) QS_TRY_VOID(list.add(oid::kQcsQcSscd, nullptr));
    if (!s.types.empty()) {
      QS_TRY(TypePtr info, qc_type_info(s.types));
      QS_TRY_VOID(list.add(oid::kQcsQcType, std::move(info)));
    }
    if (!s.pds.empty()) {
      QS_TRY(TypePtr info, pds_info(s.pds));
      QS_TRY_VOID(list.add(oid::kQcsQcPds, std::move(info)));
    }
    if (!s.legislation_countries.empty()) {
      QS_TRY(TypePtr info, legislation_info(s.legislation_countries));
      QS_TRY_VOID(list.add(oid::kQcsQcCcLegislation, std::move(info)));
    }
    return list.der();
  }

  Result<QcStatements> decode_qc_statements(ByteView der) {
    QS_TRY(auto list,
           (decode_strict<QS_QC_STATEMENTS, d2i_QS_QC_STATEMENTS, i2d_QS_QC_STATEMENTS, QS_QC_STATEMENTS_free>(
               der, "QCStatements")));
    QcStatements out;
    std::vector<std::string> seen;
    for (int i = 0; i < sk_QS_QC_STATEMENT_num(list.get()); ++i) {
      const QS_QC_STATEMENT* st = sk_QS_QC_STATEMENT_value(list.get(), i);
      const std::string id = oid_text(st->statement_id);
      if (id.empty()) return fail(ErrorCode::invalid_input, "QCStatement has an unprintable statementId");
      const bool known = id == oid::kQcsQcCompliance || id == oid::kQcsQcSscd || id == oid::kQcsQcType ||
                         id == oid::kQcsQcPds || id == oid::kQcsQcRetentionPeriod || id == oid::kQcsQcCcLegislation;
      if (!known) {
        out.other_statement_oids.push_back(id);
        continue;
      }
      if (std::find(seen.begin(), seen.end(), id) != seen.end())
        return fail(ErrorCode::invalid_input, "QC statement " + id + " appears twice");
      seen.push_back(id);
      if (id == oid::kQcsQcCompliance || id == oid::kQcsQcSscd) {
        // EN 319 412-5 Annex B: esi4-qcStatement-1 / -4 are IDENTIFIED BY the OID alone.
        if (st->statement_info != nullptr)
          return fail(ErrorCode::invalid_input, "QC statement " + id + " must not carry statementInfo");
        (id == oid::kQcsQcCompliance ? out.compliance : out.sscd) = true;
      } else if (id == oid::kQcsQcType) {
        QS_TRY_VOID(decode_qc_type(*st, out));
      } else if (id == oid::kQcsQcPds) {
        QS_TRY_VOID(decode_pds(*st, out));
      } else if (id == oid::kQcsQcRetentionPeriod) {
        QS_TRY_VOID(decode_retention(*st, out));
      } else {
        QS_TRY_VOID(decode_legislation(*st, out));
      }
    }
    return out;
  }

  Result<QcStatements> qc_statements_of(const X509* cert) {
    if (cert == nullptr) return fail(ErrorCode::internal, "no certificate");
    const int at = X509_get_ext_by_NID(cert, NID_qcStatements, -1);
    if (at < 0) return fail(ErrorCode::not_found, "the certificate has no qcStatements extension");
    // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
    if (X509_get_ext_by_NID(cert, NID_qcStatements, at) >= 0)
      return fail(ErrorCode::invalid_input, "the certificate has two qcStatements extensions");
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(cert, at));
    return decode_qc_statements(
        ByteView(ASN1_STRING_get0_data(value), static_cast<std::size_t>(ASN1_STRING_length(value))));
  }

}  // namespace qualsig::pki
