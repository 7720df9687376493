#pragma once
// libpq, loaded when a PostgreSQL store is first opened rather than at process start.
// libpq.so.5 brings Kerberos, LDAP and SASL with it (11 shared objects qualsig needs for nothing
// else): linked normally, every `qualsig` process paid about 2 ms to map and relocate them, also
// for commands that never touch PostgreSQL (docs/decisions.md, "libpq is loaded on demand").
// The types and prototypes still come from libpq-fe.h; only the binding is deferred.

#include <libpq-fe.h>

#include "core/result.h"

namespace qualsig::store::pg {

// The libpq functions the PostgreSQL store calls, named as in libpq-fe.h.
struct Libpq {
  decltype(&::PQconnectdbParams) PQconnectdbParams = nullptr;
  decltype(&::PQstatus) PQstatus = nullptr;
  decltype(&::PQerrorMessage) PQerrorMessage = nullptr;
  decltype(&::PQfinish) PQfinish = nullptr;
  decltype(&::PQreset) PQreset = nullptr;
  decltype(&::PQsetNoticeProcessor) PQsetNoticeProcessor = nullptr;
  decltype(&::PQsocket) PQsocket = nullptr;
  decltype(&::PQconsumeInput) PQconsumeInput = nullptr;
  decltype(&::PQtransactionStatus) PQtransactionStatus = nullptr;
  decltype(&::PQparameterStatus) PQparameterStatus = nullptr;
  decltype(&::PQhost) PQhost = nullptr;
  decltype(&::PQport) PQport = nullptr;
  decltype(&::PQdb) PQdb = nullptr;
  decltype(&::PQprepare) PQprepare = nullptr;
  decltype(&::PQexecPrepared) PQexecPrepared = nullptr;
  decltype(&::PQexec) PQexec = nullptr;
  decltype(&::PQresultStatus) PQresultStatus = nullptr;
  decltype(&::PQresultErrorMessage) PQresultErrorMessage = nullptr;
  decltype(&::PQresultErrorField) PQresultErrorField = nullptr;
  decltype(&::PQntuples) PQntuples = nullptr;
  decltype(&::PQcmdTuples) PQcmdTuples = nullptr;
  decltype(&::PQgetisnull) PQgetisnull = nullptr;
  decltype(&::PQgetvalue) PQgetvalue = nullptr;
  decltype(&::PQgetlength) PQgetlength = nullptr;
  decltype(&::PQclear) PQclear = nullptr;
  decltype(&::PQconninfoParse) PQconninfoParse = nullptr;
  decltype(&::PQconninfoFree) PQconninfoFree = nullptr;
  decltype(&::PQfreemem) PQfreemem = nullptr;
};

// Loads libpq.so.5 and binds every function, once per process (thread-safe; later calls return
// the first outcome). `environment` naming the library and dlerror() when it cannot be loaded or
// lacks a function (the Debian package is libpq5).
Result<const Libpq*> load_libpq();

// The bound functions. Only valid once load_libpq() has succeeded, which every path to a
// connection or a result goes through (Connection::connect, PostgresStore::open).
const Libpq& pq();

}  // namespace qualsig::store::pg
