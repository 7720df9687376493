#pragma once
// Internal to formats/ (PAdES): one incremental update that adds a signed signature field
// (ISO 32000-1 §12.7.4.5, §12.8.1) — used for signatures and for document time-stamps.

#include <functional>
#include <optional>
#include <string>

#include "formats/pades.h"
#include "formats/pdf_document.h"

namespace qualsig::formats::pdf {

struct FieldRequest {
  // Signature dictionary entries written before /ByteRange and /Contents, e.g.
  // "/Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (D:...)".
  std::string dictionary_entries;
  std::size_t contents_capacity = 0;                 // bytes reserved for the DER in /Contents
  std::string field_name;                            // "" -> "Signature<N>", unique
  const pades::VisibleSignature* visible = nullptr;  // borrowed; nullptr: invisible widget
  bool certify = false;                              // adds /Perms << /DocMDP sig >> to the catalog
  core::DigestAlgorithm digest = core::DigestAlgorithm::sha256;
  // Makes the DER for /Contents from the digest of the byte ranges.
  std::function<Result<Bytes>(ByteView digest)> make_contents;
};

// Writes the update onto `doc` and returns it. The signature dictionary gets a /ByteRange of fixed
// width and a /Contents hex string of 2 * contents_capacity zeros; after the update is laid out,
// the ranges are filled, digested, and make_contents' DER is hex-encoded into the gap. Fails with
// invalid_input for structures that are not as ISO 32000-1 requires (no pages, /Annots or /Fields
// not arrays), usage for a page that does not exist, a field name that exists or contains '.',
// internal if the DER is larger than contents_capacity, or make_contents' error.
Result<Bytes> append_signature(Document& doc, const FieldRequest& request);

// Writes a visible appearance (a Form XObject, ISO 32000-1 §12.5.5 / §8.10) for `visible` into
// `writer` and returns its object number. Fails with usage for an empty/inverted rectangle or a
// JPEG whose frame header cannot be read.
Result<QPDFObjGen> write_appearance(Document& doc, UpdateWriter& writer, const pades::VisibleSignature& visible);

// add_validation_data_increment / add_document_timestamp_increment on a two-part input.
Result<Bytes> dss_update(Input input, const cades::ValidationData& data);
Result<Bytes> document_timestamp_update(Input input, const cades::TimestampFn& timestamp, core::DigestAlgorithm digest);

}  // namespace qualsig::formats::pdf
