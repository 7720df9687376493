#include "store/postgres/pg_connection.h"

#include <poll.h>

#include <cstring>

#include "store/postgres/libpq.h"

namespace qualsig::store::pg {
namespace {

// Type OIDs of the parameters we send (PostgreSQL src/include/catalog/pg_type.dat).
constexpr unsigned kByteaOid = 17;
constexpr unsigned kInt8Oid = 20;
constexpr unsigned kTextOid = 25;

// Message prefix of connection failures that mean "the server is there but not serving".
constexpr const char* kNotServing = "the database system is";

bool starts_with(const char* s, const char* prefix) { return s && std::strncmp(s, prefix, std::strlen(prefix)) == 0; }

void replace_all(std::string& s, const std::string& what, const std::string& with) {
  if (what.empty()) return;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size()))
    s.replace(at, what.size(), with);
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

// --- Params ---

Params& Params::push(std::string data, unsigned type, int format, bool null) {
  if (type == kTextOid && !null && !m_nul_at && data.find('\0') != std::string::npos) m_nul_at = m_values.size();
  m_values.push_back(Value{std::move(data), null});
  m_types.push_back(type);
  m_formats.push_back(format);
  return *this;
}
Params& Params::add(const std::string& v) { return push(v, kTextOid, 0, false); }
Params& Params::add(std::int64_t v) { return push(std::to_string(v), kInt8Oid, 0, false); }
Params& Params::add(ByteView v) { return push(std::string(v.begin(), v.end()), kByteaOid, 1, false); }
Params& Params::add(const std::optional<std::string>& v) { return v ? add(*v) : add_null_text(); }
Params& Params::add(const std::optional<TimePoint>& v) { return v ? add(*v) : push({}, kInt8Oid, 0, true); }
Params& Params::add(const std::optional<std::int64_t>& v) { return v ? add(*v) : push({}, kInt8Oid, 0, true); }
Params& Params::add_null_text() { return push({}, kTextOid, 0, true); }

// --- Rows ---

Rows::Rows(PGresult* res) : m_res(res) {}
Rows::~Rows() { pq().PQclear(m_res); }
int Rows::size() const { return pq().PQntuples(m_res); }
std::int64_t Rows::affected() const {
  const char* n = pq().PQcmdTuples(m_res);
  return (n && *n) ? std::stoll(n) : 0;
}
bool Rows::is_null(int row, int col) const { return pq().PQgetisnull(m_res, row, col) != 0; }
std::string Rows::text(int row, int col) const {
  return std::string(pq().PQgetvalue(m_res, row, col), static_cast<std::size_t>(pq().PQgetlength(m_res, row, col)));
}
Bytes Rows::bytes(int row, int col) const {
  const auto* p = reinterpret_cast<const std::uint8_t*>(pq().PQgetvalue(m_res, row, col));
  return Bytes(p, p + pq().PQgetlength(m_res, row, col));
}
std::int64_t Rows::int64(int row, int col) const {
  // Binary format: big-endian two's complement of the column's width (int2/int4/int8, bool).
  const auto* p = reinterpret_cast<const std::uint8_t*>(pq().PQgetvalue(m_res, row, col));
  int len = pq().PQgetlength(m_res, row, col);
  if (len == 0) return 0;
  std::uint64_t v = (p[0] & 0x80) ? ~std::uint64_t{0} : 0;
  if (len == 1) return p[0];  // bool
  for (int i = 0; i < len; ++i) v = (v << 8) | p[i];
  return static_cast<std::int64_t>(v);
}
std::optional<std::string> Rows::opt_text(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return text(row, col);
}
std::optional<TimePoint> Rows::opt_time(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return time(row, col);
}

// --- scrub ---

std::string scrub(const std::string& message, const std::string& password) {
  std::string out = message;
  replace_all(out, password, "***");
  // userinfo of any URL: scheme://user:SECRET@host
  for (std::size_t at = out.find("://"); at != std::string::npos; at = out.find("://", at + 3)) {
    std::size_t end = out.find_first_of("@/ \"'\n", at + 3);
    if (end == std::string::npos || out[end] != '@') continue;
    std::size_t colon = out.find(':', at + 3);
    if (colon != std::string::npos && colon < end) out.replace(colon + 1, end - colon - 1, "***");
  }
  // key=value conninfo: password=SECRET
  for (std::size_t at = out.find("password="); at != std::string::npos; at = out.find("password=", at + 9)) {
    std::size_t end = out.find_first_of(" &\"'\n", at + 9);
    out.replace(at + 9, (end == std::string::npos ? out.size() : end) - at - 9, "***");
  }
  return out;
}

// --- Connection ---

Result<std::unique_ptr<Connection>> Connection::connect(const std::string& url, const std::string& password) {
  // Keywords before "dbname" are defaults the URL may override (expand_dbname = 1).
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "qualsig", url.c_str(), nullptr};
  QS_TRY_VOID(load_libpq());
  PGconn* conn = pq().PQconnectdbParams(keys, values, 1);
  if (conn == nullptr) return fail(ErrorCode::unavailable, "PostgreSQL: out of memory while connecting");
  if (pq().PQstatus(conn) != CONNECTION_OK) {
    std::string msg = scrub(trim(pq().PQerrorMessage(conn)), password);
    pq().PQfinish(conn);
    // A server that answered and refused (authentication, unknown database) is a configuration
    // problem; one that cannot be reached or is starting/stopping may come back.
    bool answered = msg.find("FATAL:") != std::string::npos && msg.find(kNotServing) == std::string::npos;
    return fail(answered ? ErrorCode::database : ErrorCode::unavailable, "PostgreSQL: cannot connect: " + msg);
  }
  // Server notices (and the FATAL of a terminated session) are not printed to stderr: errors
  // reach the caller as Results.
  pq().PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn, password));
}

Connection::~Connection() { pq().PQfinish(m_conn); }

Error Connection::error_of(PGresult* res, const std::string& what) const {
  std::string msg = scrub(trim(res ? pq().PQresultErrorMessage(res) : pq().PQerrorMessage(m_conn)), m_password);
  if (msg.empty()) msg = scrub(trim(pq().PQerrorMessage(m_conn)), m_password);
  const char* state = res ? pq().PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  ErrorCode code = ErrorCode::database;
  if (pq().PQstatus(m_conn) == CONNECTION_BAD || starts_with(state, "08") || starts_with(state, "57P"))
    // connection exception, admin shutdown, cannot connect now: the server may come back
    return make_error(ErrorCode::unavailable, "PostgreSQL at " + where() + " is unavailable: " + msg,
                      state ? std::string("SQLSTATE ") + state : "");
  if (starts_with(state, "23505"))
    code = ErrorCode::already_exists;  // unique_violation
  else if (starts_with(state, "22021") || starts_with(state, "22P05"))
    code = ErrorCode::invalid_input;  // character_not_in_repertoire, untranslatable_character
  else if (starts_with(state, "40001") || starts_with(state, "40P01"))
    code = ErrorCode::conflict;  // serialization_failure, deadlock_detected
  return make_error(code, "database: PostgreSQL " + what + ": " + msg, state ? std::string("SQLSTATE ") + state : "");
}

Result<Rows> Connection::exec(const std::string& sql, const Params& params) {
  if (auto at = params.nul_in_text())
    return fail(ErrorCode::invalid_input, "database: text parameter $" + std::to_string(*at + 1) + " contains a NUL byte");
  auto it = m_prepared.find(sql);
  if (it == m_prepared.end()) {
    std::string name = "qs" + std::to_string(m_prepared.size());
    Rows prepared(pq().PQprepare(m_conn, name.c_str(), sql.c_str(), static_cast<int>(params.size()),
                            params.types().data()));
    if (pq().PQresultStatus(prepared.m_res) != PGRES_COMMAND_OK) return fail(error_of(prepared.m_res, "prepare"));
    it = m_prepared.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  std::vector<int> lengths;
  for (const auto& v : params.m_values) {
    values.push_back(v.null ? nullptr : v.data.c_str());
    lengths.push_back(static_cast<int>(v.data.size()));
  }
  Rows rows(pq().PQexecPrepared(m_conn, it->second.c_str(), static_cast<int>(params.size()), values.data(), lengths.data(),
                           params.m_formats.data(), 1));
  auto status = pq().PQresultStatus(rows.m_res);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return fail(error_of(rows.m_res, "query"));
  return rows;
}

Result<void> Connection::exec_script(const std::string& sql) {
  Rows rows(pq().PQexec(m_conn, sql.c_str()));
  auto status = pq().PQresultStatus(rows.m_res);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return fail(error_of(rows.m_res, "statement"));
  return ok();
}

Result<void> Connection::ensure_alive() {
  // Reads anything pending without blocking: a server that shut down or terminated this
  // backend has sent its notice / closed the socket, which turns the status to CONNECTION_BAD.
  // An idle connection has nothing to read unless the server sent something (a FATAL notice
  // then end-of-file when it terminated the session): read until both are seen.
  for (int i = 0; i < 4 && pq().PQstatus(m_conn) == CONNECTION_OK; ++i) {
    pollfd p{pq().PQsocket(m_conn), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
    if (!pq().PQconsumeInput(m_conn)) break;
  }
  if (pq().PQstatus(m_conn) == CONNECTION_OK && pq().PQtransactionStatus(m_conn) != PQTRANS_UNKNOWN) return ok();
  m_prepared.clear();  // prepared statements die with the server session
  pq().PQreset(m_conn);
  if (pq().PQstatus(m_conn) != CONNECTION_OK)
    return fail(ErrorCode::unavailable, "PostgreSQL at " + where() + " is unavailable (connection lost, reconnecting failed): " +
                                            scrub(trim(pq().PQerrorMessage(m_conn)), m_password));
  return ok();
}

bool Connection::in_transaction() const {
  auto s = pq().PQtransactionStatus(m_conn);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR;
}

std::string Connection::server_version() const {
  const char* v = pq().PQparameterStatus(m_conn, "server_version");
  std::string s = v ? v : "?";
  return s.substr(0, s.find(' '));
}

std::string Connection::where() const {
  std::string host = pq().PQhost(m_conn) ? pq().PQhost(m_conn) : "";
  return host + ":" + (pq().PQport(m_conn) ? pq().PQport(m_conn) : "") + "/" + (pq().PQdb(m_conn) ? pq().PQdb(m_conn) : "");
}

// --- Pool ---

Pool::Lease::~Lease() {
  if (!m_conn) return;
  if (m_conn->in_transaction()) (void)m_conn->exec_script("ROLLBACK");
  m_pool->give_back(std::move(m_conn));
}

Result<Pool::Lease> Pool::acquire() {
  std::unique_ptr<Connection> conn;
  {
    std::unique_lock lock(m_mutex);
    m_free_cv.wait(lock, [&] { return !m_idle.empty() || m_open < m_size; });
    if (!m_idle.empty()) {
      conn = std::move(m_idle.back());
      m_idle.pop_back();
    } else {
      ++m_open;
    }
  }
  auto drop = [&] {
    std::lock_guard lock(m_mutex);
    --m_open;
    m_free_cv.notify_one();
  };
  if (!conn) {
    auto made = Connection::connect(m_url, m_password);
    if (!made) {
      drop();
      return fail(std::move(made).error());
    }
    conn = std::move(*made);
  } else if (auto alive = conn->ensure_alive(); !alive) {
    conn.reset();
    drop();
    return fail(std::move(alive).error());
  }
  return Lease(*this, std::move(conn));
}

void Pool::give_back(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(m_mutex);
  m_idle.push_back(std::move(conn));
  m_free_cv.notify_one();
}

}  // namespace qualsig::store::pg
