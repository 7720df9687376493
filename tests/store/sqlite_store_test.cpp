// SQLite-only cases (files on disk); the shared suite is store_suite_test.cpp.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace qualsig::store {
namespace {

using qualsig::testing::TempDir;

CaCertificate cert(const std::string& role, const std::string& serial) {
  return CaCertificate{role, serial, "CN=" + role, Bytes{1, 2, 3}, Bytes{9}, role + "-key",
                       TimePoint(std::chrono::seconds(1000)), TimePoint(std::chrono::seconds(2000))};
}

TEST(SqliteStore, RefusesMissingAndCorruptFiles) {
  TempDir dir;
  auto missing = SqliteStore::open(dir.path() / "none.db", SqliteStore::Mode::open_existing);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::database);

  auto junk = dir.path() / "junk.db";
  std::ofstream(junk) << std::string(8192, 'x');
  auto corrupt = SqliteStore::open(junk, SqliteStore::Mode::open_existing);
  ASSERT_FALSE(corrupt);
  EXPECT_EQ(corrupt.error().code, ErrorCode::database);
  EXPECT_NE(corrupt.error().message.find("not a valid qualsig database"), std::string::npos) << corrupt.error().message;
}

TEST(SqliteStore, TruncatedDatabaseIsRefused) {
  TempDir dir;
  auto path = dir.path() / "q.db";
  {
    auto store = std::move(*SqliteStore::open(path, SqliteStore::Mode::create));
    ASSERT_TRUE(store->put_service_material({cert("root", "01")}, {}));
  }
  std::filesystem::resize_file(path, 1500);  // cut inside the second page
  std::filesystem::remove(dir.path() / "q.db-wal");
  auto r = SqliteStore::open(path, SqliteStore::Mode::open_existing);
  EXPECT_FALSE(r);
}

}  // namespace
}  // namespace qualsig::store
