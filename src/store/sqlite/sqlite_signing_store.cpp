// SqliteStore: policies, people, delegations, sign requests, approvals, SAD, signatures,
// counters (store/signing_records.h).
#include <nlohmann/json.hpp>

#include "store/json_list.h"

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statement.h"

namespace qualsig::store {
namespace {


constexpr const char* kPolicyColumns = "id, name, version, hash, document, created_at, created_by";
PolicyRecord read_policy(const Statement& st) {
  return PolicyRecord{st.int64(0), st.text(1), st.int64(2), st.text(3), st.text(4),
                      from_unix_seconds(st.int64(5)), st.text(6)};
}

constexpr const char* kDelegationColumns =
    "id, delegator, delegate, scopes, not_before, expires_at, revoked_at, parent_id, created_at, created_by";
DelegationRecord read_delegation(const Statement& st) {
  DelegationRecord r;
  r.id = st.text(0);
  r.delegator = st.text(1);
  r.delegate = st.text(2);
  r.scopes = from_json_list(st.text(3));
  r.not_before = from_unix_seconds(st.int64(4));
  r.expires_at = from_unix_seconds(st.int64(5));
  r.revoked_at = opt_time(st, 6);
  r.parent_id = opt_text(st, 7);
  r.created_at = from_unix_seconds(st.int64(8));
  r.created_by = st.text(9);
  return r;
}

constexpr const char* kRequestColumns =
    "r.id, r.identity_id, i.name, r.requester, r.document_type, r.attributes, r.document_name, r.document_hash, "
    "r.document_size, r.format, r.level, r.detached, r.policy_id, r.decision, r.status, r.approval_group, "
    "r.approvals_required, r.delegation_id, r.created_at, r.expires_at, r.signature_id, r.completed_at, r.format_options, r.credential";
SignRequestRecord read_request(const Statement& st) {
  SignRequestRecord r;
  r.id = st.text(0);
  r.identity_id = st.int64(1);
  r.identity_name = st.text(2);
  r.requester = st.text(3);
  r.document_type = st.text(4);
  r.attributes = st.text(5);
  r.document_name = st.text(6);
  r.document_hash = st.text(7);
  r.document_size = st.int64(8);
  r.format = st.text(9);
  r.level = st.text(10);
  r.detached = st.int64(11) != 0;
  if (!st.is_null(12)) r.policy_id = st.int64(12);
  r.decision = st.text(13);
  r.status = st.text(14);
  r.approval_group = opt_text(st, 15);
  r.approvals_required = st.int64(16);
  r.delegation_id = opt_text(st, 17);
  r.created_at = from_unix_seconds(st.int64(18));
  r.expires_at = from_unix_seconds(st.int64(19));
  r.signature_id = opt_text(st, 20);
  r.completed_at = opt_time(st, 21);
  r.format_options = st.text(22);
  r.credential = opt_text(st, 23);
  return r;
}

constexpr const char* kSadColumns = "token_hash, request_id, credential, document_hashes, issued_at, expires_at, consumed_at";
SadRecord read_sad(const Statement& st) {
  return SadRecord{st.text(0), st.text(1), st.text(2), from_json_list(st.text(3)),
                   from_unix_seconds(st.int64(4)), from_unix_seconds(st.int64(5)), opt_time(st, 6)};
}

}  // namespace

// --- policies ---

Result<std::int64_t> SqliteStore::put_policy(const PolicyRecord& p) {
  return write([&]() -> Result<std::int64_t> {
    {
      QS_TRY(auto st, prepare("SELECT id, hash FROM policies WHERE name = ? AND version = ?"));
      st.bind(1, p.name).bind(2, p.version);
      QS_TRY(bool row, st.step());
      if (row) {
        if (st.text(1) == p.hash) return st.int64(0);
        return fail(ErrorCode::already_exists, "policy '" + p.name + "' version " + std::to_string(p.version) +
                                                   " is already stored with other content: give the new content a new version");
      }
    }
    QS_TRY(auto st, prepare("INSERT INTO policies(name, version, hash, document, created_at, created_by) VALUES (?,?,?,?,?,?)"));
    st.bind(1, p.name).bind(2, p.version).bind(3, p.hash).bind(4, p.document).bind(5, unix_seconds(p.created_at))
        .bind(6, p.created_by);
    QS_TRY_VOID(st.run());
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(m_db));
  });
}

Result<PolicyRecord> SqliteStore::policy(std::int64_t id) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare((std::string("SELECT ") + kPolicyColumns + " FROM policies WHERE id = ?").c_str()));
  st.bind(1, id);
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::not_found, "no policy with id " + std::to_string(id));
  return read_policy(st);
}

Result<std::vector<PolicyRecord>> SqliteStore::policies() {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare((std::string("SELECT ") + kPolicyColumns +
                                            " FROM policies ORDER BY name, version DESC").c_str()));
  return collect<PolicyRecord>(st, read_policy);
}

Result<void> SqliteStore::attach_policy(std::int64_t identity_id, std::int64_t policy_id, TimePoint at) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("INSERT INTO policy_attachments(identity_id, policy_id, attached_at) VALUES (?,?,?) "
        "ON CONFLICT(identity_id) DO UPDATE SET policy_id = excluded.policy_id, attached_at = excluded.attached_at"));
    st.bind(1, identity_id).bind(2, policy_id).bind(3, unix_seconds(at));
    return st.run();
  });
}

Result<std::optional<PolicyRecord>> SqliteStore::policy_of_identity(std::int64_t identity_id) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT p.id, p.name, p.version, p.hash, p.document, p.created_at, p.created_by FROM policy_attachments a "
      "JOIN policies p ON p.id = a.policy_id WHERE a.identity_id = ?"));
  st.bind(1, identity_id);
  QS_TRY(bool row, st.step());
  if (!row) return std::optional<PolicyRecord>();
  return std::optional<PolicyRecord>(read_policy(st));
}

// --- people ---

Result<std::int64_t> SqliteStore::create_person(const PersonRecord& p) {
  return write([&]() -> Result<std::int64_t> {
    QS_TRY(auto st, prepare("INSERT INTO people(name, token_hash, created_at, disabled_at) VALUES (?,?,?,?)"));
    st.bind(1, p.name).bind(2, p.token_hash).bind(3, unix_seconds(p.created_at));
    bind_opt(st, 4, p.disabled_at);
    auto ran = st.run();
    if (!ran) {
      if (ran.error().code == ErrorCode::already_exists)
        return fail(ErrorCode::already_exists, "a person named '" + p.name + "' already exists");
      return fail(ran.error());
    }
    auto id = static_cast<std::int64_t>(sqlite3_last_insert_rowid(m_db));
    QS_TRY(auto g, prepare("INSERT OR IGNORE INTO person_groups(person_id, group_name) VALUES (?,?)"));
    for (const auto& group : p.groups) {
      g.reset();
      g.bind(1, id).bind(2, group);
      QS_TRY_VOID(g.run());
    }
    return id;
  });
}

namespace {
Result<std::vector<std::string>> groups_of(sqlite3* db, std::int64_t person_id) {
  QS_TRY(auto st, Statement::prepare(db, "SELECT group_name FROM person_groups WHERE person_id = ? ORDER BY group_name"));
  st.bind(1, person_id);
  return collect<std::string>(st, [](const Statement& s) { return s.text(0); });
}
PersonRecord read_person(const Statement& st) {
  PersonRecord r;
  r.id = st.int64(0);
  r.name = st.text(1);
  r.token_hash = st.text(2);
  r.created_at = from_unix_seconds(st.int64(3));
  r.disabled_at = opt_time(st, 4);
  return r;
}
}  // namespace

Result<PersonRecord> SqliteStore::person(const std::string& name) {
  QS_TRY(auto read, reader());
  PersonRecord r;
  {
    QS_TRY(auto st, read.prepare("SELECT id, name, token_hash, created_at, disabled_at FROM people WHERE name = ?"));
    st.bind(1, name);
    QS_TRY(bool row, st.step());
    if (!row) return fail(ErrorCode::not_found, "no person named '" + name + "'");
    r = read_person(st);
  }
  QS_TRY(r.groups, groups_of(read.db(), r.id));
  return r;
}

Result<std::vector<PersonRecord>> SqliteStore::people() {
  QS_TRY(auto read, reader());
  std::vector<PersonRecord> out;
  {
    QS_TRY(auto st, read.prepare("SELECT id, name, token_hash, created_at, disabled_at FROM people ORDER BY name"));
    QS_TRY(out, collect<PersonRecord>(st, read_person));
  }
  for (auto& p : out) {
    QS_TRY(p.groups, groups_of(read.db(), p.id));
  }
  return out;
}

// --- delegations ---

Result<void> SqliteStore::put_delegation(const DelegationRecord& d) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("INSERT INTO delegations(id, delegator, delegate, scopes, not_before, expires_at, "
                                             "revoked_at, parent_id, created_at, created_by) VALUES (?,?,?,?,?,?,?,?,?,?)"));
    st.bind(1, d.id).bind(2, d.delegator).bind(3, d.delegate).bind(4, to_json_list(d.scopes))
        .bind(5, unix_seconds(d.not_before)).bind(6, unix_seconds(d.expires_at));
    bind_opt(st, 7, d.revoked_at);
    bind_opt(st, 8, d.parent_id);
    st.bind(9, unix_seconds(d.created_at)).bind(10, d.created_by);
    return st.run();
  });
}

Result<DelegationRecord> SqliteStore::delegation(const std::string& id) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare((std::string("SELECT ") + kDelegationColumns + " FROM delegations WHERE id = ?").c_str()));
  st.bind(1, id);
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::not_found, "no delegation '" + id + "'");
  return read_delegation(st);
}

Result<std::vector<DelegationRecord>> SqliteStore::delegations(const std::optional<std::string>& delegate) {
  QS_TRY(auto read, reader());
  std::string sql = std::string("SELECT ") + kDelegationColumns + " FROM delegations" +
                    (delegate ? " WHERE delegate = ?" : "") + " ORDER BY created_at, id";
  QS_TRY(auto st, read.prepare(sql.c_str()));
  if (delegate) st.bind(1, *delegate);
  return collect<DelegationRecord>(st, read_delegation);
}

Result<void> SqliteStore::revoke_delegation(const std::string& id, TimePoint at) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("UPDATE delegations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"));
    st.bind(1, unix_seconds(at)).bind(2, id);
    QS_TRY_VOID(st.run());
    if (sqlite3_changes(m_db) == 1) return ok();
    QS_TRY(auto exists, prepare("SELECT 1 FROM delegations WHERE id = ?"));
    exists.bind(1, id);
    QS_TRY(bool row, exists.step());
    if (!row) return fail(ErrorCode::not_found, "no delegation '" + id + "'");
    return fail(ErrorCode::conflict, "delegation '" + id + "' is already revoked");
  });
}

// --- sign requests and approvals ---

Result<void> SqliteStore::create_sign_request(const SignRequestRecord& r) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("INSERT INTO sign_requests(id, identity_id, requester, document_type, attributes, document_name, document_hash, "
        "document_size, format, level, detached, policy_id, decision, status, approval_group, approvals_required, "
        "delegation_id, created_at, expires_at, signature_id, completed_at, format_options, credential) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    st.bind(1, r.id).bind(2, r.identity_id).bind(3, r.requester).bind(4, r.document_type).bind(5, r.attributes)
        .bind(6, r.document_name).bind(7, r.document_hash).bind(8, r.document_size).bind(9, r.format).bind(10, r.level)
        .bind(11, std::int64_t{r.detached ? 1 : 0});
    if (r.policy_id) st.bind(12, *r.policy_id);
    else st.bind_null(12);
    st.bind(13, r.decision).bind(14, r.status);
    bind_opt(st, 15, r.approval_group);
    st.bind(16, r.approvals_required);
    bind_opt(st, 17, r.delegation_id);
    st.bind(18, unix_seconds(r.created_at)).bind(19, unix_seconds(r.expires_at));
    bind_opt(st, 20, r.signature_id);
    bind_opt(st, 21, r.completed_at);
    st.bind(22, r.format_options);
    bind_opt(st, 23, r.credential);
    return st.run();
  });
}

Result<SignRequestRecord> SqliteStore::sign_request(const std::string& id) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare((std::string("SELECT ") + kRequestColumns +
                                            " FROM sign_requests r JOIN identities i ON i.id = r.identity_id WHERE r.id = ?").c_str()));
  st.bind(1, id);
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::not_found, "no sign request '" + id + "'");
  return read_request(st);
}

Result<std::vector<SignRequestRecord>> SqliteStore::sign_requests(const std::optional<std::string>& status, std::size_t limit) {
  QS_TRY(auto read, reader());
  std::string sql = std::string("SELECT ") + kRequestColumns + " FROM sign_requests r JOIN identities i ON i.id = r.identity_id" +
                    (status ? " WHERE r.status = ?" : "") + " ORDER BY r.created_at DESC, r.id LIMIT ?";
  QS_TRY(auto st, read.prepare(sql.c_str()));
  int i = 1;
  if (status) st.bind(i++, *status);
  st.bind(i, static_cast<std::int64_t>(limit));
  return collect<SignRequestRecord>(st, read_request);
}

Result<void> SqliteStore::transition_sign_request(const std::string& id, const std::string& from, const std::string& to,
                                                  const std::optional<std::string>& signature_id,
                                                  std::optional<TimePoint> completed_at) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("UPDATE sign_requests SET status = ?, signature_id = COALESCE(?, signature_id), "
        "completed_at = COALESCE(?, completed_at) WHERE id = ? AND status = ?"));
    st.bind(1, to);
    bind_opt(st, 2, signature_id);
    bind_opt(st, 3, completed_at);
    st.bind(4, id).bind(5, from);
    QS_TRY_VOID(st.run());
    if (sqlite3_changes(m_db) != 1)
      return fail(ErrorCode::conflict, "sign request '" + id + "' is no longer " + from);
    return ok();
  });
}

Result<void> SqliteStore::add_approval(const ApprovalRecord& a) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("INSERT INTO approvals(request_id, approver, decision, document_hash, time) VALUES (?,?,?,?,?)"));
    st.bind(1, a.request_id).bind(2, a.approver).bind(3, a.decision).bind(4, a.document_hash).bind(5, unix_seconds(a.time));
    auto ran = st.run();
    if (!ran && ran.error().code == ErrorCode::already_exists)
      return fail(ErrorCode::already_exists, a.approver + " has already decided on " + a.request_id);
    return ran;
  });
}

Result<std::vector<ApprovalRecord>> SqliteStore::approvals(const std::string& request_id) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT request_id, approver, decision, document_hash, time FROM approvals WHERE request_id = ? ORDER BY time, approver"));
  st.bind(1, request_id);
  return collect<ApprovalRecord>(st, [](const Statement& s) {
    return ApprovalRecord{s.text(0), s.text(1), s.text(2), s.text(3), from_unix_seconds(s.int64(4))};
  });
}

// --- SAD ---

Result<void> SqliteStore::put_sad(const SadRecord& s) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("INSERT INTO sads(token_hash, request_id, credential, document_hashes, issued_at, "
                                             "expires_at, consumed_at) VALUES (?,?,?,?,?,?,?)"));
    st.bind(1, s.token_hash).bind(2, s.request_id).bind(3, s.credential).bind(4, to_json_list(s.document_hashes))
        .bind(5, unix_seconds(s.issued_at)).bind(6, unix_seconds(s.expires_at));
    bind_opt(st, 7, s.consumed_at);
    return st.run();
  });
}

Result<std::vector<SadRecord>> SqliteStore::sads(const std::string& request_id) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare(std::string("SELECT ") + kSadColumns + " FROM sads WHERE request_id = ? ORDER BY issued_at, token_hash"));
  st.bind(1, request_id);
  return collect<SadRecord>(st, read_sad);
}

Result<SadRecord> SqliteStore::sad(const std::string& token_hash) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare((std::string("SELECT ") + kSadColumns + " FROM sads WHERE token_hash = ?").c_str()));
  st.bind(1, token_hash);
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::not_found, "unknown signature activation data");
  return read_sad(st);
}

namespace {
// "SAD 3 of 5: " before an error of consume_sads, so the caller can tell which failed.
Error at_position(Error e, std::size_t i, std::size_t n) {
  e.message = "SAD " + std::to_string(i + 1) + " of " + std::to_string(n) + ": " + e.message;
  return e;
}
}  // namespace

Result<SadRecord> SqliteStore::consume_one_sad(const std::string& token_hash, TimePoint now) {
  {
    // One statement: SQLite runs it under the database write lock, so of any number of
    // concurrent consumers (threads or processes) exactly one sees the row change.
    QS_TRY(auto st, prepare((std::string("UPDATE sads SET consumed_at = ? WHERE token_hash = ? AND "
                                          "consumed_at IS NULL AND expires_at > ? RETURNING ") + kSadColumns).c_str()));
    st.bind(1, unix_seconds(now)).bind(2, token_hash).bind(3, unix_seconds(now));
    QS_TRY(bool row, st.step());
    if (row) {
      auto sad = read_sad(st);
      QS_TRY(bool more, st.step());
      (void)more;
      return sad;
    }
  }
  QS_TRY(auto st, prepare((std::string("SELECT ") + kSadColumns + " FROM sads WHERE token_hash = ?").c_str()));
  st.bind(1, token_hash);
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::not_found, "unknown signature activation data");
  auto sad = read_sad(st);
  if (sad.consumed_at) return fail(ErrorCode::conflict, "signature activation data was already used");
  return fail(ErrorCode::denied, "signature activation data expired at " + to_rfc3339(sad.expires_at));
}

Result<SadRecord> SqliteStore::consume_sad(const std::string& token_hash, TimePoint now) {
  return write_deferred([&]() -> Result<SadRecord> { return consume_one_sad(token_hash, now); });
}

Result<std::vector<SadRecord>> SqliteStore::consume_sads(const std::vector<std::string>& token_hashes, TimePoint now) {
  // One job: its SAVEPOINT is rolled back when it fails, so a failure leaves every SAD unused.
  return write_deferred([&]() -> Result<std::vector<SadRecord>> {
    std::vector<SadRecord> out;
    for (std::size_t i = 0; i < token_hashes.size(); ++i) {
      auto sad = consume_one_sad(token_hashes[i], now);
      if (!sad) return fail(at_position(std::move(sad).error(), i, token_hashes.size()));
      out.push_back(std::move(*sad));
    }
    return out;
  });
}

// --- signatures ---

Result<void> SqliteStore::put_signature(const SignatureRecord& s, const std::string& request_status) {
  // One transaction (one fsync) for the three writes a signature makes.
  return write([&] { return write_signature(s, request_status); });
}

Result<void> SqliteStore::write_signature(const SignatureRecord& s, const std::string& request_status) {
  {
    {
      QS_TRY(auto st, prepare("INSERT INTO signatures(id, request_id, identity_id, certificate_serial, format, level, "
                              "document_hash, signature_hash, signature, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)"));
      st.bind(1, s.id).bind(2, s.request_id).bind(3, s.identity_id).bind(4, s.certificate_serial).bind(5, s.format)
          .bind(6, s.level).bind(7, s.document_hash).bind(8, s.signature_hash).bind(9, ByteView(s.signature))
          .bind(10, unix_seconds(s.created_at));
      QS_TRY_VOID(st.run());
    }
    {
      QS_TRY(auto st, prepare("UPDATE sign_requests SET status = 'signed', signature_id = ?, completed_at = ? "
                              "WHERE id = ? AND status = ?"));
      st.bind(1, s.id).bind(2, unix_seconds(s.created_at)).bind(3, s.request_id).bind(4, request_status);
      QS_TRY_VOID(st.run());
      if (sqlite3_changes(m_db) != 1)
        return fail(ErrorCode::conflict, "sign request '" + s.request_id + "' is no longer " + request_status);
    }
    QS_TRY(auto st, prepare("UPDATE identities SET last_used_at = ? WHERE id = ?"));
    st.bind(1, unix_seconds(s.created_at)).bind(2, s.identity_id);
    return st.run();
  }
}

Result<SignatureRecord> SqliteStore::signature(const std::string& id) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT s.id, s.request_id, s.identity_id, i.name, s.certificate_serial, s.format, s.level, s.document_hash, "
      "s.signature_hash, s.signature, s.created_at FROM signatures s JOIN identities i ON i.id = s.identity_id WHERE s.id = ?"));
  st.bind(1, id);
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::not_found, "no signature '" + id + "'");
  return SignatureRecord{st.text(0), st.text(1), st.int64(2), st.text(3), st.text(4), st.text(5), st.text(6),
                         st.text(7), st.text(8), st.blob(9), from_unix_seconds(st.int64(10))};
}

Result<std::int64_t> SqliteStore::count_signatures(std::int64_t identity_id, TimePoint since, std::int64_t cap) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT COUNT(*) FROM (SELECT 1 FROM signatures WHERE identity_id = ? AND "
                                           "created_at >= ? LIMIT ?)"));
  st.bind(1, identity_id).bind(2, unix_seconds(since)).bind(3, cap);
  QS_TRY_VOID(st.step());
  return st.int64(0);
}

Result<std::uint64_t> SqliteStore::next_counter(const std::string& name) {
  return write([&]() -> Result<std::uint64_t> {
    QS_TRY(auto st, prepare("INSERT INTO counters(name, value) VALUES (?, 1) "
                                             "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value"));
    st.bind(1, name);
    QS_TRY(bool row, st.step());
    if (!row) return fail(ErrorCode::database, "database: counter '" + name + "' returned no value");
    auto value = static_cast<std::uint64_t>(st.int64(0));
    QS_TRY(bool more, st.step());
    (void)more;
    return value;
  });
}

}  // namespace qualsig::store
