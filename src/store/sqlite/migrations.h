#pragma once
// Schema migrations, applied in order, each in its own transaction and recorded in
// schema_migrations(version, applied_at). Never edit a released migration: add a new one.

#include <span>

namespace qualsig::store {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

std::span<const Migration> sqlite_migrations();

}  // namespace qualsig::store
