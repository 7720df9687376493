#pragma once
// ETSI TS 119 612 trusted lists: the EU list of trusted lists (LOTL), national trusted lists and
// private lists such as the one this service publishes about itself (`qualsig trust export-tl`).
//
// parse_trusted_list reads the structure only; TrustStore (trust_store.h) loads lists whose
// XMLDSig signature verifies with an announced certificate and answers "which CA/QC services
// list this certificate, with which status at time T". Times are UTC instants.
//
// Namespaces (TS 119 612 §5, XSD v2): tsl http://uri.etsi.org/02231/v2#,
// tslx http://uri.etsi.org/02231/v2/additionaltypes#,
// ecc http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "core/time.h"

namespace qualsig::trust {

// TS 119 612 §5.5.1 service type identifiers used by qualification.
inline constexpr const char* kSvcTypeCaQc = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC";
inline constexpr const char* kSvcTypeCaPkc = "http://uri.etsi.org/TrstSvc/Svctype/CA/PKC";
inline constexpr const char* kSvcTypeTsaQtst = "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST";
// TS 119 612 §5.5.4 service status URIs (prefix + suffix).
inline constexpr const char* kStatusPrefix = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/";
inline constexpr const char* kStatusGranted = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted";
inline constexpr const char* kStatusWithdrawn = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn";
// TS 119 612 §5.5.9.4 additional service information, and the qualifier prefix (§5.5.9.2.3).
inline constexpr const char* kAsiForeSignatures = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSignatures";
inline constexpr const char* kAsiForeSeals = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSeals";
inline constexpr const char* kAsiForWebSiteAuthentication =
    "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForWebSiteAuthentication";
inline constexpr const char* kQualifierPrefix = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/";
// TS 119 612 §5.3.3 TSLType of the LOTL and of an EU member state list.
inline constexpr const char* kTslTypeEuLotl = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists";
inline constexpr const char* kTslTypeEuGeneric = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric";
// eIDAS entered into application at this instant (1 July 2016 00:00 Brussels).
inline constexpr std::int64_t kEidasUnixSeconds = 1467324000;  // 2016-06-30T22:00:00Z

// mra:QcStatement inside an mra:QcStatementSet of an otherCriteriaList (the EU MRA schema v2,
// http://ec.europa.eu/tools/lotl/mra/schema/v2#): a QC statement (EN 319 412-5 §4) the certificate
// must hold, with the QcType or QcCClegislation country its mra:QcStatementInfo names, if any.
struct QcStatementCriterion {
  std::string id;              // statement OID, dotted ("urn:oid:" stripped)
  std::string qc_type;         // QcStatementInfo/QcType OID, or empty
  std::string cc_legislation;  // QcStatementInfo/QcCClegislation country, or empty
  bool operator==(const QcStatementCriterion&) const = default;
};

// ecc:CriteriaList (TS 119 612 §5.5.9.2.2): evaluated against the end-entity certificate.
struct CriteriaList {
  enum class Assert { all, at_least_one, none } assert_ = Assert::all;
  // KeyUsageBit name ("digitalSignature", "nonRepudiation", ...) -> required value.
  std::vector<std::pair<std::string, bool>> key_usage;
  // Each inner vector is one PolicySet: every OID of it must be in certificatePolicies
  // ("urn:oid:" prefixes already stripped).
  std::vector<std::vector<std::string>> policy_sets;
  std::vector<std::string> extended_key_usage;  // tslx:ExtendedKeyUsage KeyPurposeId OIDs (all required)
  std::vector<std::string> subject_attributes;  // tslx:CertSubjectDNAttribute AttributeOID (all required)
  // mra:QcStatementSet entries: each set matches when the certificate holds every statement of it.
  std::vector<std::vector<QcStatementCriterion>> qc_statement_sets;
  std::vector<CriteriaList> nested;
  bool unknown_criteria = false;                // an otherCriteriaList child this parser does not know

  // Member-wise equality (used to check that a written list parses back unchanged).
  bool operator==(const CriteriaList&) const = default;
};

// ecc:QualificationElement: qualifiers that apply to certificates matching the criteria.
struct QualificationElement {
  std::vector<std::string> qualifiers;  // full URIs (kQualifierPrefix + "QCWithQSCD", ...)
  CriteriaList criteria;

  // Member-wise equality (used to check that a written list parses back unchanged).
  bool operator==(const QualificationElement&) const = default;
};

// One ServiceInformation or ServiceHistoryInstance: the service as it was from `start` until
// `end` (the next newer instance's start; nullopt for the current one).
struct ServiceStatusPeriod {
  std::string type;     // ServiceTypeIdentifier
  std::string name;     // ServiceName (first language)
  std::string status;   // ServiceStatus URI
  TimePoint start;      // StatusStartingTime
  std::optional<TimePoint> end;
  std::vector<std::string> additional_service_info;      // AdditionalServiceInformation URIs
  std::vector<QualificationElement> qualifications;     // ecc:Qualifications
  std::optional<TimePoint> expired_certs_revocation_info;
  bool critical_extension_unknown = false;               // a Critical extension this parser does not know

  // Member-wise equality (used to check that a written list parses back unchanged).
  bool operator==(const ServiceStatusPeriod&) const = default;
};

struct Service {
  // ServiceDigitalIdentity of the current ServiceInformation (history identities are not used,
  // as DSS does): X509Certificate entries, DER.
  std::vector<Bytes> certificates;
  std::vector<std::string> subject_names;  // X509SubjectName
  std::vector<Bytes> skis;                 // X509SKI
  // Current first, then history newest first, as in the list; each with its period.
  std::vector<ServiceStatusPeriod> periods;
  bool history_out_of_order = false;       // history not strictly descending (TS 119 615 PRO-4.3.4-03A)

  // Member-wise equality (used to check that a written list parses back unchanged).
  bool operator==(const Service&) const = default;
};

struct TrustServiceProvider {
  std::string name;                     // TSPName (first language)
  std::vector<std::string> trade_names; // TSPTradeName
  std::vector<Service> services;

  // Member-wise equality (used to check that a written list parses back unchanged).
  bool operator==(const TrustServiceProvider&) const = default;
};

// The EU's mutual recognition agreement (MRA) extension of a LOTL pointer to a third-country list
// (mra:MutualRecognitionAgreementInformation, schema http://ec.europa.eu/tools/lotl/mra/schema/v2#;
// eIDAS Art. 14): each mra:TrustServiceEquivalenceInformation says how services, statuses,
// qualifiers and certificate contents of the pointed (third-country) list map to their EU
// equivalents ("pointing party") for one kind of qualified certificate.
inline constexpr const char* kMraEnacted = "http://ec.europa.eu/tools/lotl/mra/enacted";
inline constexpr const char* kMraContextQcCompliance = "http://ec.europa.eu/tools/lotl/mra/QcCompliance";
inline constexpr const char* kMraContextQcType = "http://ec.europa.eu/tools/lotl/mra/QcType";
inline constexpr const char* kMraContextQcQscd = "http://ec.europa.eu/tools/lotl/mra/QcQSCD";

struct MraEquivalence {
  std::string legal_identifier;  // TrustServiceLegalIdentifier: QCForESig, QCForESeal or QCForWSA
  // TrustServiceTSLTypeEquivalenceList: a pointed-party service type stands for the pointing
  // party's type with its AdditionalServiceInformation URIs.
  struct ServiceType {
    std::string type;
    std::vector<std::string> additional_service_info;
    bool operator==(const ServiceType&) const = default;
  };
  std::vector<ServiceType> pointing_types, pointed_types;
  std::string status;       // TrustServiceEquivalenceStatus (kMraEnacted, or another URI: not in force)
  TimePoint status_start;   // TrustServiceEquivalenceStatusStartingTime
  // TrustServiceTSLStatusEquivalenceList (valid and invalid): pointed status -> pointing status.
  std::vector<std::pair<std::string, std::string>> statuses;
  // CertificateContentReferencesEquivalenceList: a certificate that meets `pointed` is treated as
  // meeting `pointing` in `context` (kMraContext*).
  struct ContentEquivalence {
    std::string context;
    CriteriaList pointing, pointed;
    bool operator==(const ContentEquivalence&) const = default;
  };
  std::vector<ContentEquivalence> contents;
  // QualifierEquivalenceList: pointed qualifier URI -> pointing qualifier URI.
  std::vector<std::pair<std::string, std::string>> qualifiers;
  bool operator==(const MraEquivalence&) const = default;
};

// OtherTSLPointer (TS 119 612 §5.3.13): where another list is and who may sign it.
struct TslPointer {
  std::string location;                 // TSLLocation
  std::string territory;                // SchemeTerritory from AdditionalInformation
  std::string tsl_type;                 // TSLType from AdditionalInformation
  std::string mime_type;                // tslx:MimeType
  std::vector<Bytes> signing_certificates;  // ServiceDigitalIdentities X509Certificate, DER
  std::vector<MraEquivalence> mra;           // MRA equivalences (third-country lists); empty otherwise

  // Member-wise equality (used to check that a written list parses back unchanged).
  bool operator==(const TslPointer&) const = default;
};

struct TrustedList {
  int version = 0;                      // TSLVersionIdentifier (5 or 6)
  std::uint64_t sequence_number = 0;    // TSLSequenceNumber
  std::string tsl_type;                 // TSLType
  std::string scheme_operator;          // SchemeOperatorName (first language)
  std::string territory;                // SchemeTerritory
  TimePoint issued;                     // ListIssueDateTime
  std::optional<TimePoint> next_update; // NextUpdate/dateTime; nullopt: closed list
  std::vector<TslPointer> pointers;     // PointersToOtherTSL
  std::vector<std::string> distribution_points;  // DistributionPoints URIs (§5.3.17): where it is published
  std::vector<TrustServiceProvider> providers;
  bool signed_ = false;                 // has a ds:Signature child of the root (not verified here)

  // Member-wise equality (used to check that a written list parses back unchanged).
  bool operator==(const TrustedList&) const = default;
};

// Bounded safe parse (formats/xades rules: no DTD, no network) of a TS 119 612 list. Fails with
// invalid_input naming the element for a document that is not a TrustServiceStatusList or has
// malformed required fields (dates, sequence number, base64 certificates that are not DER X.509).
Result<TrustedList> parse_trusted_list(ByteView xml);

// The list as the EU reads it under the MRA equivalences of the LOTL pointer that announced it
// (`mra`): every service period whose type is a pointed-party type of an enacted equivalence gets
// the pointing party's type and AdditionalServiceInformation, and its status and qualifiers their
// pointing-party equivalents, from the enactment on (a period that straddles the enactment is
// split; before it nothing is translated). Other periods, and equivalences not enacted, leave the
// service as listed.
TrustedList translate_mra(const TrustedList& list, const std::vector<MraEquivalence>& mra);

// The TS 119 612 XML of `list` (unsigned; sign it with formats/xades enveloped, exclusive c14n).
// The root has Id="tsl" and TSLTag="http://uri.etsi.org/19612/TSLTag". Fails with usage when a
// required field is empty.
Result<std::string> write_trusted_list(const TrustedList& list);

}  // namespace qualsig::trust
