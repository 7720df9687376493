#pragma once
// PostgreSQL schema migrations: the same tables and columns as the SQLite list
// (store/sqlite/migrations.cpp), one entry per SQLite migration so that both report the same
// schema version. BYTEA for blobs, BIGINT Unix seconds for times, TEXT for JSON, identity
// columns where SQLite has INTEGER PRIMARY KEY. Never edit a released migration: add a new one
// to both lists.

#include <span>

#include "store/sqlite/migrations.h"

namespace qualsig::store {

std::span<const Migration> postgres_migrations();

}  // namespace qualsig::store
