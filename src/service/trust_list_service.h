#pragma once
// `qualsig trust export-tl`: this trust service's own ETSI TS 119 612 trusted list, signed, so that
// validators (ours with `verify --tl`, or DSS configured with it) can qualify its signatures.
// It is a private list: qualification resting on it is never qualification under EU law.

#include <string>

#include "core/result.h"
#include "core/time.h"
#include "service/trust_service.h"

namespace qualsig::service {

struct ExportedList {
  std::string xml;               // signed (XAdES B-B enveloped, exclusive C14N)
  std::uint64_t sequence_number = 0;
};

// One TSP (the issuing CA's organisation) with a CA/QC service (the issuing CA, granted since its
// notBefore, for e-signatures and e-seals) and a TSA/QTST service (our time-stamping unit); signed
// with the root CA key in the token, whose certificate validators configure as the list's signer.
// The sequence number increases with every export. Next update: `now + valid_days`. Logged.
Result<ExportedList> export_trusted_list(TrustService& svc, const std::string& actor, TimePoint now, int valid_days = 30);

}  // namespace qualsig::service
