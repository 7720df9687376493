#include "store/sqlite/migrations.h"

namespace qualsig::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, "service material, settings, identities and certificates",
     R"sql(
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE ca_certificates (
  role        TEXT PRIMARY KEY,
  serial_hex  TEXT NOT NULL UNIQUE,
  subject     TEXT NOT NULL,
  der         BLOB NOT NULL,
  key_id      BLOB NOT NULL,
  key_label   TEXT NOT NULL,
  not_before  INTEGER NOT NULL,
  not_after   INTEGER NOT NULL
) STRICT;

CREATE TABLE service_keys (
  role            TEXT PRIMARY KEY,
  key_id          BLOB NOT NULL UNIQUE,
  key_label       TEXT NOT NULL,
  public_key_der  BLOB NOT NULL
) STRICT;

CREATE TABLE identities (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  kind        TEXT NOT NULL,
  state       TEXT NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE certificates (
  serial_hex   TEXT PRIMARY KEY,
  identity_id  INTEGER NOT NULL REFERENCES identities(id),
  der          BLOB NOT NULL,
  status       TEXT NOT NULL,
  not_before   INTEGER NOT NULL,
  not_after    INTEGER NOT NULL
) STRICT;
CREATE INDEX certificates_identity ON certificates(identity_id);
)sql"},
    {2, "audit log and its checkpoints",
     R"sql(
CREATE TABLE audit_log (
  seq        INTEGER PRIMARY KEY,
  entry      TEXT NOT NULL,
  leaf_hash  BLOB NOT NULL
) STRICT;

CREATE TABLE audit_checkpoints (
  tree_size  INTEGER PRIMARY KEY,
  root_hash  BLOB NOT NULL,
  time       INTEGER NOT NULL,
  note       TEXT NOT NULL
) STRICT;
)sql"},
    {3, "identities with proofing evidence, identity certificates with revocation, CRL state",
     // Replaces the placeholder tables of migration 1, which no release ever wrote to.
     R"sql(
DROP TABLE certificates;
DROP TABLE identities;

CREATE TABLE identities (
  id                       INTEGER PRIMARY KEY,
  name                     TEXT NOT NULL UNIQUE,
  kind                     TEXT NOT NULL,
  state                    TEXT NOT NULL,
  organization             TEXT NOT NULL,
  organization_identifier  TEXT NOT NULL,
  country                  TEXT NOT NULL,
  sponsor                  TEXT NOT NULL,
  purpose                  TEXT NOT NULL,
  acts_for                 TEXT,
  spiffe_id                TEXT,
  assurance_level          TEXT,
  created_at               INTEGER NOT NULL,
  updated_at               INTEGER NOT NULL,
  last_used_at             INTEGER
) STRICT;

CREATE TABLE proofing_evidence (
  id               INTEGER PRIMARY KEY,
  identity_id      INTEGER NOT NULL REFERENCES identities(id),
  method           TEXT NOT NULL,
  status           TEXT NOT NULL,
  subject          TEXT NOT NULL,
  evidence         TEXT NOT NULL,
  evidence_hash    TEXT NOT NULL,
  assurance_level  TEXT NOT NULL,
  attested_by      TEXT,
  confirmed_by     TEXT,
  created_at       INTEGER NOT NULL,
  confirmed_at     INTEGER
) STRICT;
CREATE INDEX proofing_evidence_identity ON proofing_evidence(identity_id);

CREATE TABLE certificates (
  serial_hex         TEXT PRIMARY KEY,
  identity_id        INTEGER NOT NULL REFERENCES identities(id),
  der                BLOB NOT NULL,
  key_id             BLOB NOT NULL,
  key_label          TEXT NOT NULL,
  status             TEXT NOT NULL,
  issued_at          INTEGER NOT NULL,
  not_before         INTEGER NOT NULL,
  not_after          INTEGER NOT NULL,
  revoked_at         INTEGER,
  revocation_reason  TEXT,
  invalidity_date    INTEGER
) STRICT;
CREATE INDEX certificates_identity ON certificates(identity_id);
CREATE INDEX certificates_status ON certificates(status);

CREATE TABLE crls (
  issuer       TEXT PRIMARY KEY,
  crl_number   INTEGER NOT NULL,
  this_update  INTEGER NOT NULL,
  next_update  INTEGER NOT NULL,
  der          BLOB NOT NULL
) STRICT;
)sql"},
    {4, "revocation generation, so every process sees status changes made by another",
     R"sql(
CREATE TABLE revocation_state (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  generation  INTEGER NOT NULL
) STRICT;
INSERT INTO revocation_state(id, generation) VALUES (1, 0);
)sql"},
    {5, "signing authorisation: policies, people, delegations, sign requests, approvals, SAD, signatures",
     R"sql(
CREATE TABLE policies (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  version     INTEGER NOT NULL,
  hash        TEXT NOT NULL,
  document    TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  created_by  TEXT NOT NULL,
  UNIQUE (name, version)
) STRICT;

CREATE TABLE policy_attachments (
  identity_id  INTEGER PRIMARY KEY REFERENCES identities(id),
  policy_id    INTEGER NOT NULL REFERENCES policies(id),
  attached_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE people (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  token_hash   TEXT NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  disabled_at  INTEGER
) STRICT;

CREATE TABLE person_groups (
  person_id   INTEGER NOT NULL REFERENCES people(id),
  group_name  TEXT NOT NULL,
  PRIMARY KEY (person_id, group_name)
) STRICT;

CREATE TABLE delegations (
  id          TEXT PRIMARY KEY,
  delegator   TEXT NOT NULL,
  delegate    TEXT NOT NULL,
  scopes      TEXT NOT NULL,
  not_before  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  revoked_at  INTEGER,
  parent_id   TEXT REFERENCES delegations(id),
  created_at  INTEGER NOT NULL,
  created_by  TEXT NOT NULL
) STRICT;
CREATE INDEX delegations_delegate ON delegations(delegate);

CREATE TABLE sign_requests (
  id                  TEXT PRIMARY KEY,
  identity_id         INTEGER NOT NULL REFERENCES identities(id),
  requester           TEXT NOT NULL,
  document_type       TEXT NOT NULL,
  attributes          TEXT NOT NULL,
  document_name       TEXT NOT NULL,
  document_hash       TEXT NOT NULL,
  document_size       INTEGER NOT NULL,
  format              TEXT NOT NULL,
  level               TEXT NOT NULL,
  detached            INTEGER NOT NULL,
  policy_id           INTEGER REFERENCES policies(id),
  decision            TEXT NOT NULL,
  status              TEXT NOT NULL,
  approval_group      TEXT,
  approvals_required  INTEGER NOT NULL,
  delegation_id       TEXT REFERENCES delegations(id),
  created_at          INTEGER NOT NULL,
  expires_at          INTEGER NOT NULL,
  signature_id        TEXT,
  completed_at        INTEGER
) STRICT;
CREATE INDEX sign_requests_status ON sign_requests(status, created_at);

CREATE TABLE approvals (
  request_id     TEXT NOT NULL REFERENCES sign_requests(id),
  approver       TEXT NOT NULL,
  decision       TEXT NOT NULL,
  document_hash  TEXT NOT NULL,
  time           INTEGER NOT NULL,
  PRIMARY KEY (request_id, approver)
) STRICT;

CREATE TABLE sads (
  token_hash       TEXT PRIMARY KEY,
  request_id       TEXT NOT NULL REFERENCES sign_requests(id),
  credential       TEXT NOT NULL,
  document_hashes  TEXT NOT NULL,
  issued_at        INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  consumed_at      INTEGER
) STRICT;

CREATE TABLE signatures (
  id                  TEXT PRIMARY KEY,
  request_id          TEXT NOT NULL REFERENCES sign_requests(id),
  identity_id         INTEGER NOT NULL REFERENCES identities(id),
  certificate_serial  TEXT NOT NULL,
  format              TEXT NOT NULL,
  level               TEXT NOT NULL,
  document_hash       TEXT NOT NULL,
  signature_hash      TEXT NOT NULL,
  signature           BLOB NOT NULL,
  created_at          INTEGER NOT NULL
) STRICT;
CREATE INDEX signatures_identity_time ON signatures(identity_id, created_at);

CREATE TABLE counters (
  name   TEXT PRIMARY KEY,
  value  INTEGER NOT NULL
) STRICT;
)sql"},
    {6, "format options of a sign request (PAdES certification and appearance, XAdES packaging)",
     R"sql(
ALTER TABLE sign_requests ADD COLUMN format_options TEXT NOT NULL DEFAULT '{}';
)sql"},
    {7, "API clients (argon2id secrets) and OAuth 2.0 access tokens of qualsig serve",
     R"sql(
CREATE TABLE api_clients (
  client_id    TEXT PRIMARY KEY,
  principal    TEXT NOT NULL,
  roles        TEXT NOT NULL,
  secret_hash  TEXT NOT NULL,
  description  TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  created_by   TEXT NOT NULL,
  disabled_at  INTEGER
) STRICT;

CREATE TABLE access_tokens (
  token_hash  TEXT PRIMARY KEY,
  principal   TEXT NOT NULL,
  roles       TEXT NOT NULL,
  client_id   TEXT NOT NULL,
  grant_type  TEXT NOT NULL,
  issued_at   INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  revoked_at  INTEGER
) STRICT;
CREATE INDEX access_tokens_principal ON access_tokens(principal, expires_at);
)sql"},
    {8, "index of SADs by sign request (signHash and signDoc look a request's SADs up per hash)",
     R"sql(
CREATE INDEX sads_request ON sads(request_id);
)sql"},
    {9, "the credential a sign request is for (CSC credentialID; null: the identity's newest usable one)",
     R"sql(
ALTER TABLE sign_requests ADD COLUMN credential TEXT;
)sql"},
};

}  // namespace

std::span<const Migration> sqlite_migrations() { return kMigrations; }

}  // namespace qualsig::store
