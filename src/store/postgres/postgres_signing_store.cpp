// PostgresStore: policies, people, delegations, sign requests, approvals, SAD, signatures,
// counters (store/signing_records.h).
#include <nlohmann/json.hpp>

#include "store/json_list.h"

#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <optional>

namespace qualsig::store {
namespace {

using pg::Params;
using pg::Rows;


template <typename T, typename F>
std::vector<T> collect(const Rows& rows, F read) {
  std::vector<T> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(read(rows, i));
  return out;
}

const std::string kPolicyColumns = "id, name, version, hash, document, created_at, created_by";
PolicyRecord read_policy(const Rows& st, int i) {
  return PolicyRecord{st.int64(i, 0), st.text(i, 1), st.int64(i, 2), st.text(i, 3), st.text(i, 4), st.time(i, 5),
                      st.text(i, 6)};
}

const std::string kDelegationColumns =
    "id, delegator, delegate, scopes, not_before, expires_at, revoked_at, parent_id, created_at, created_by";
DelegationRecord read_delegation(const Rows& st, int i) {
  DelegationRecord r;
  r.id = st.text(i, 0);
  r.delegator = st.text(i, 1);
  r.delegate = st.text(i, 2);
  r.scopes = from_json_list(st.text(i, 3));
  r.not_before = st.time(i, 4);
  r.expires_at = st.time(i, 5);
  r.revoked_at = st.opt_time(i, 6);
  r.parent_id = st.opt_text(i, 7);
  r.created_at = st.time(i, 8);
  r.created_by = st.text(i, 9);
  return r;
}

const std::string kRequestColumns =
    "r.id, r.identity_id, i.name, r.requester, r.document_type, r.attributes, r.document_name, r.document_hash, "
    "r.document_size, r.format, r.level, r.detached, r.policy_id, r.decision, r.status, r.approval_group, "
    "r.approvals_required, r.delegation_id, r.created_at, r.expires_at, r.signature_id, r.completed_at, r.format_options, r.credential";
SignRequestRecord read_request(const Rows& st, int i) {
  SignRequestRecord r;
  r.id = st.text(i, 0);
  r.identity_id = st.int64(i, 1);
  r.identity_name = st.text(i, 2);
  r.requester = st.text(i, 3);
  r.document_type = st.text(i, 4);
  r.attributes = st.text(i, 5);
  r.document_name = st.text(i, 6);
  r.document_hash = st.text(i, 7);
  r.document_size = st.int64(i, 8);
  r.format = st.text(i, 9);
  r.level = st.text(i, 10);
  r.detached = st.int64(i, 11) != 0;
  if (!st.is_null(i, 12)) r.policy_id = st.int64(i, 12);
  r.decision = st.text(i, 13);
  r.status = st.text(i, 14);
  r.approval_group = st.opt_text(i, 15);
  r.approvals_required = st.int64(i, 16);
  r.delegation_id = st.opt_text(i, 17);
  r.created_at = st.time(i, 18);
  r.expires_at = st.time(i, 19);
  r.signature_id = st.opt_text(i, 20);
  r.completed_at = st.opt_time(i, 21);
  r.format_options = st.text(i, 22);
  r.credential = st.opt_text(i, 23);
  return r;
}

const std::string kSadColumns = "token_hash, request_id, credential, document_hashes, issued_at, expires_at, consumed_at";
SadRecord read_sad(const Rows& st, int i) {
  return SadRecord{st.text(i, 0), st.text(i, 1), st.text(i, 2), from_json_list(st.text(i, 3)), st.time(i, 4),
                   st.time(i, 5), st.opt_time(i, 6)};
}

const std::string kPersonColumns = "id, name, token_hash, created_at, disabled_at";
PersonRecord read_person(const Rows& st, int i) {
  PersonRecord r;
  r.id = st.int64(i, 0);
  r.name = st.text(i, 1);
  r.token_hash = st.text(i, 2);
  r.created_at = st.time(i, 3);
  r.disabled_at = st.opt_time(i, 4);
  return r;
}

Result<std::vector<std::string>> groups_of(pg::Connection& c, std::int64_t person_id) {
  QS_TRY(auto r, c.exec("SELECT group_name FROM person_groups WHERE person_id = $1 ORDER BY group_name",
                        Params().add(person_id)));
  return collect<std::string>(r, [](const Rows& s, int i) { return s.text(i, 0); });
}

}  // namespace

// --- policies ---

Result<std::int64_t> PostgresStore::put_policy(const PolicyRecord& p) {
  QS_TRY(auto c, m_pool->acquire());
  // Insert-or-read in one statement, so two nodes storing the same version agree on its id.
  QS_TRY(auto ins, c->exec("INSERT INTO policies(name, version, hash, document, created_at, created_by) "
                           "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name, version) DO NOTHING RETURNING id",
                           Params().add(p.name).add(p.version).add(p.hash).add(p.document).add(p.created_at)
                               .add(p.created_by)));
  if (!ins.empty()) return ins.int64(0, 0);
  QS_TRY(auto r, c->exec("SELECT id, hash FROM policies WHERE name = $1 AND version = $2",
                         Params().add(p.name).add(p.version)));
  if (r.empty()) return fail(ErrorCode::conflict, "policy '" + p.name + "' changed while storing it: retry");
  if (r.text(0, 1) == p.hash) return r.int64(0, 0);
  return fail(ErrorCode::already_exists, "policy '" + p.name + "' version " + std::to_string(p.version) +
                                             " is already stored with other content: give the new content a new version");
}

Result<PolicyRecord> PostgresStore::policy(std::int64_t id) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kPolicyColumns + " FROM policies WHERE id = $1", Params().add(id)));
  if (r.empty()) return fail(ErrorCode::not_found, "no policy with id " + std::to_string(id));
  return read_policy(r, 0);
}

Result<std::vector<PolicyRecord>> PostgresStore::policies() {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kPolicyColumns + " FROM policies ORDER BY name, version DESC"));
  return collect<PolicyRecord>(r, read_policy);
}

Result<void> PostgresStore::attach_policy(std::int64_t identity_id, std::int64_t policy_id, TimePoint at) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY_VOID(c->exec("INSERT INTO policy_attachments(identity_id, policy_id, attached_at) VALUES ($1, $2, $3) "
                      "ON CONFLICT (identity_id) DO UPDATE SET policy_id = excluded.policy_id, attached_at = excluded.attached_at",
                      Params().add(identity_id).add(policy_id).add(at)));
  return ok();
}

Result<std::optional<PolicyRecord>> PostgresStore::policy_of_identity(std::int64_t identity_id) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT p.id, p.name, p.version, p.hash, p.document, p.created_at, p.created_by "
                         "FROM policy_attachments a JOIN policies p ON p.id = a.policy_id WHERE a.identity_id = $1",
                         Params().add(identity_id)));
  if (r.empty()) return std::optional<PolicyRecord>();
  return std::optional<PolicyRecord>(read_policy(r, 0));
}

// --- people ---

Result<std::int64_t> PostgresStore::create_person(const PersonRecord& p) {
  QS_TRY(auto c, m_pool->acquire());
  return pg::in_transaction(*c, [&]() -> Result<std::int64_t> {
    auto ins = c->exec("INSERT INTO people(name, token_hash, created_at, disabled_at) VALUES ($1, $2, $3, $4) RETURNING id",
                       Params().add(p.name).add(p.token_hash).add(p.created_at).add(p.disabled_at));
    if (!ins) {
      if (ins.error().code == ErrorCode::already_exists)
        return fail(ErrorCode::already_exists, "a person named '" + p.name + "' already exists");
      return fail(std::move(ins).error());
    }
    auto id = ins->int64(0, 0);
    for (const auto& group : p.groups) {
      QS_TRY_VOID(c->exec("INSERT INTO person_groups(person_id, group_name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                          Params().add(id).add(group)));
    }
    return id;
  });
}

Result<PersonRecord> PostgresStore::person(const std::string& name) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kPersonColumns + " FROM people WHERE name = $1", Params().add(name)));
  if (r.empty()) return fail(ErrorCode::not_found, "no person named '" + name + "'");
  auto p = read_person(r, 0);
  QS_TRY(p.groups, groups_of(*c, p.id));
  return p;
}

Result<std::vector<PersonRecord>> PostgresStore::people() {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kPersonColumns + " FROM people ORDER BY name"));
  auto out = collect<PersonRecord>(r, read_person);
  for (auto& p : out) {
    QS_TRY(p.groups, groups_of(*c, p.id));
  }
  return out;
}

// --- delegations ---

Result<void> PostgresStore::put_delegation(const DelegationRecord& d) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY_VOID(c->exec("INSERT INTO delegations(id, delegator, delegate, scopes, not_before, expires_at, revoked_at, "
                      "parent_id, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                      Params().add(d.id).add(d.delegator).add(d.delegate).add(to_json_list(d.scopes)).add(d.not_before)
                          .add(d.expires_at).add(d.revoked_at).add(d.parent_id).add(d.created_at).add(d.created_by)));
  return ok();
}

Result<DelegationRecord> PostgresStore::delegation(const std::string& id) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kDelegationColumns + " FROM delegations WHERE id = $1", Params().add(id)));
  if (r.empty()) return fail(ErrorCode::not_found, "no delegation '" + id + "'");
  return read_delegation(r, 0);
}

Result<std::vector<DelegationRecord>> PostgresStore::delegations(const std::optional<std::string>& delegate) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kDelegationColumns + " FROM delegations WHERE $1::TEXT IS NULL OR delegate = $1 "
                         "ORDER BY created_at, id", Params().add(delegate)));
  return collect<DelegationRecord>(r, read_delegation);
}

Result<void> PostgresStore::revoke_delegation(const std::string& id, TimePoint at) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("UPDATE delegations SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                         Params().add(at).add(id)));
  if (r.affected() == 1) return ok();
  QS_TRY(auto exists, c->exec("SELECT 1 FROM delegations WHERE id = $1", Params().add(id)));
  if (exists.empty()) return fail(ErrorCode::not_found, "no delegation '" + id + "'");
  return fail(ErrorCode::conflict, "delegation '" + id + "' is already revoked");
}

// --- sign requests and approvals ---

Result<void> PostgresStore::create_sign_request(const SignRequestRecord& r) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY_VOID(c->exec("INSERT INTO sign_requests(id, identity_id, requester, document_type, attributes, document_name, "
      "document_hash, document_size, format, level, detached, policy_id, decision, status, approval_group, "
      "approvals_required, delegation_id, created_at, expires_at, signature_id, completed_at, format_options, credential) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)",
      Params().add(r.id).add(r.identity_id).add(r.requester).add(r.document_type).add(r.attributes).add(r.document_name)
          .add(r.document_hash).add(r.document_size).add(r.format).add(r.level).add(std::int64_t{r.detached ? 1 : 0})
          .add(r.policy_id).add(r.decision).add(r.status).add(r.approval_group).add(r.approvals_required)
          .add(r.delegation_id).add(r.created_at).add(r.expires_at).add(r.signature_id).add(r.completed_at)
          .add(r.format_options).add(r.credential)));
  return ok();
}

Result<SignRequestRecord> PostgresStore::sign_request(const std::string& id) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kRequestColumns +
                         " FROM sign_requests r JOIN identities i ON i.id = r.identity_id WHERE r.id = $1",
                         Params().add(id)));
  if (r.empty()) return fail(ErrorCode::not_found, "no sign request '" + id + "'");
  return read_request(r, 0);
}

Result<std::vector<SignRequestRecord>> PostgresStore::sign_requests(const std::optional<std::string>& status,
                                                                    std::size_t limit) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kRequestColumns + " FROM sign_requests r JOIN identities i ON i.id = r.identity_id "
                         "WHERE $1::TEXT IS NULL OR r.status = $1 ORDER BY r.created_at DESC, r.id LIMIT $2",
                         Params().add(status).add(static_cast<std::int64_t>(limit))));
  return collect<SignRequestRecord>(r, read_request);
}

Result<void> PostgresStore::transition_sign_request(const std::string& id, const std::string& from, const std::string& to,
                                                    const std::optional<std::string>& signature_id,
                                                    std::optional<TimePoint> completed_at) {
  QS_TRY(auto c, m_pool->acquire());
  // Compare-and-set in one statement: the row lock makes concurrent transitions serialise, and
  // the loser re-checks `status = $5` on the committed row and changes nothing.
  QS_TRY(auto r, c->exec("UPDATE sign_requests SET status = $1, signature_id = COALESCE($2, signature_id), "
                         "completed_at = COALESCE($3, completed_at) WHERE id = $4 AND status = $5",
                         Params().add(to).add(signature_id).add(completed_at).add(id).add(from)));
  if (r.affected() != 1) return fail(ErrorCode::conflict, "sign request '" + id + "' is no longer " + from);
  return ok();
}

Result<void> PostgresStore::add_approval(const ApprovalRecord& a) {
  QS_TRY(auto c, m_pool->acquire());
  auto r = c->exec("INSERT INTO approvals(request_id, approver, decision, document_hash, time) VALUES ($1, $2, $3, $4, $5)",
                   Params().add(a.request_id).add(a.approver).add(a.decision).add(a.document_hash).add(a.time));
  if (!r && r.error().code == ErrorCode::already_exists)
    return fail(ErrorCode::already_exists, a.approver + " has already decided on " + a.request_id);
  if (!r) return fail(std::move(r).error());
  return ok();
}

Result<std::vector<ApprovalRecord>> PostgresStore::approvals(const std::string& request_id) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT request_id, approver, decision, document_hash, time FROM approvals WHERE request_id = $1 "
                         "ORDER BY time, approver", Params().add(request_id)));
  return collect<ApprovalRecord>(r, [](const Rows& s, int i) {
    return ApprovalRecord{s.text(i, 0), s.text(i, 1), s.text(i, 2), s.text(i, 3), s.time(i, 4)};
  });
}

// --- SAD ---

Result<void> PostgresStore::put_sad(const SadRecord& s) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY_VOID(c->exec("INSERT INTO sads(token_hash, request_id, credential, document_hashes, issued_at, expires_at, "
                      "consumed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                      Params().add(s.token_hash).add(s.request_id).add(s.credential).add(to_json_list(s.document_hashes))
                          .add(s.issued_at).add(s.expires_at).add(s.consumed_at)));
  return ok();
}

Result<std::vector<SadRecord>> PostgresStore::sads(const std::string& request_id) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kSadColumns + " FROM sads WHERE request_id = $1 ORDER BY issued_at, token_hash",
                         Params().add(request_id)));
  return collect<SadRecord>(r, read_sad);
}

Result<SadRecord> PostgresStore::sad(const std::string& token_hash) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kSadColumns + " FROM sads WHERE token_hash = $1", Params().add(token_hash)));
  if (r.empty()) return fail(ErrorCode::not_found, "unknown signature activation data");
  return read_sad(r, 0);
}

namespace {
// consume_sad's statements on a connection (inside a transaction for consume_sads).
Result<SadRecord> consume_one_sad(pg::Connection& c, const std::string& token_hash, TimePoint now) {
  // One statement: concurrent consumers on any node queue on the row lock; after the winner
  // commits, the others re-evaluate `consumed_at IS NULL` on the new row version (READ
  // COMMITTED) and update nothing. Exactly one sees the row returned.
  QS_TRY(auto r, c.exec("UPDATE sads SET consumed_at = $1 WHERE token_hash = $2 AND consumed_at IS NULL AND "
                        "expires_at > $1 RETURNING " + kSadColumns, Params().add(now).add(token_hash)));
  if (!r.empty()) return read_sad(r, 0);
  QS_TRY(auto q, c.exec("SELECT " + kSadColumns + " FROM sads WHERE token_hash = $1", Params().add(token_hash)));
  if (q.empty()) return fail(ErrorCode::not_found, "unknown signature activation data");
  auto sad = read_sad(q, 0);
  if (sad.consumed_at) return fail(ErrorCode::conflict, "signature activation data was already used");
  return fail(ErrorCode::denied, "signature activation data expired at " + to_rfc3339(sad.expires_at));
}
// A consumption commits without waiting for its WAL flush (synchronous_commit off for this
// transaction only): visible to every node at once, and made durable by the next synchronous
// commit, whose flush covers every earlier WAL record — a signature leaves only after its log
// entries' commit, which is one (store.h, consume_sad).
Result<void> defer_flush(pg::Connection& c) { return c.exec_script("SET LOCAL synchronous_commit TO off"); }
}  // namespace

Result<SadRecord> PostgresStore::consume_sad(const std::string& token_hash, TimePoint now) {
  QS_TRY(auto c, m_pool->acquire());
  return pg::in_transaction(*c, [&]() -> Result<SadRecord> {
    QS_TRY_VOID(defer_flush(*c));
    return consume_one_sad(*c, token_hash, now);
  });
}

Result<std::vector<SadRecord>> PostgresStore::consume_sads(const std::vector<std::string>& token_hashes, TimePoint now) {
  QS_TRY(auto c, m_pool->acquire());
  // Row locks are taken in token-hash order, so two calls with overlapping sets queue instead
  // of deadlocking; the records are returned in the caller's order.
  std::vector<std::size_t> order(token_hashes.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return token_hashes[a] < token_hashes[b]; });
  return pg::in_transaction(*c, [&]() -> Result<std::vector<SadRecord>> {
    QS_TRY_VOID(defer_flush(*c));
    std::vector<std::optional<SadRecord>> slots(token_hashes.size());
    for (std::size_t i : order) {
      auto sad = consume_one_sad(*c, token_hashes[i], now);
      if (!sad) {
        Error e = std::move(sad).error();
        e.message = "SAD " + std::to_string(i + 1) + " of " + std::to_string(token_hashes.size()) + ": " + e.message;
        return fail(std::move(e));
      }
      slots[i] = std::move(*sad);
    }
    std::vector<SadRecord> out;
    for (auto& s : slots) out.push_back(std::move(*s));
    return out;
  });
}

// --- signatures ---

Result<void> PostgresStore::put_signature(const SignatureRecord& s, const std::string& request_status) {
  QS_TRY(auto c, m_pool->acquire());
  // One transaction (one commit) for the three writes a signature makes.
  return pg::in_transaction(*c, [&] { return write_signature(*c, s, request_status); });
}

Result<void> PostgresStore::write_signature(pg::Connection& conn, const SignatureRecord& s,
                                            const std::string& request_status) {
  auto* c = &conn;
  {
    QS_TRY_VOID(c->exec("INSERT INTO signatures(id, request_id, identity_id, certificate_serial, format, level, "
                        "document_hash, signature_hash, signature, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        Params().add(s.id).add(s.request_id).add(s.identity_id).add(s.certificate_serial).add(s.format)
                            .add(s.level).add(s.document_hash).add(s.signature_hash).add(ByteView(s.signature))
                            .add(s.created_at)));
    QS_TRY(auto moved, c->exec("UPDATE sign_requests SET status = 'signed', signature_id = $1, completed_at = $2 "
                               "WHERE id = $3 AND status = $4",
                               Params().add(s.id).add(s.created_at).add(s.request_id).add(request_status)));
    if (moved.affected() != 1)
      return fail(ErrorCode::conflict, "sign request '" + s.request_id + "' is no longer " + request_status);
    QS_TRY_VOID(c->exec("UPDATE identities SET last_used_at = $1 WHERE id = $2", Params().add(s.created_at).add(s.identity_id)));
    return ok();
  }
}

Result<SignatureRecord> PostgresStore::signature(const std::string& id) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT s.id, s.request_id, s.identity_id, i.name, s.certificate_serial, s.format, s.level, "
                         "s.document_hash, s.signature_hash, s.signature, s.created_at FROM signatures s "
                         "JOIN identities i ON i.id = s.identity_id WHERE s.id = $1", Params().add(id)));
  if (r.empty()) return fail(ErrorCode::not_found, "no signature '" + id + "'");
  return SignatureRecord{r.text(0, 0), r.text(0, 1), r.int64(0, 2), r.text(0, 3), r.text(0, 4), r.text(0, 5),
                         r.text(0, 6), r.text(0, 7), r.text(0, 8), r.bytes(0, 9), r.time(0, 10)};
}

Result<std::int64_t> PostgresStore::count_signatures(std::int64_t identity_id, TimePoint since, std::int64_t cap) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT COUNT(*) FROM (SELECT 1 FROM signatures WHERE identity_id = $1 AND created_at >= $2 "
                         "LIMIT $3) AS capped", Params().add(identity_id).add(since).add(cap)));
  return r.int64(0, 0);
}

Result<std::uint64_t> PostgresStore::next_counter(const std::string& name) {
  QS_TRY(auto c, m_pool->acquire());
  // The conflicting row is locked and re-read by the upsert: every caller on every node gets its
  // own value.
  QS_TRY(auto r, c->exec("INSERT INTO counters(name, value) VALUES ($1, 1) "
                         "ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value", Params().add(name)));
  if (r.empty()) return fail(ErrorCode::database, "database: counter '" + name + "' returned no value");
  return static_cast<std::uint64_t>(r.int64(0, 0));
}

}  // namespace qualsig::store
