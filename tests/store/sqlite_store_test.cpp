#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "support/temp_dir.h"

namespace qualsig::store {
namespace {

using qualsig::testing::TempDir;

CaCertificate cert(const std::string& role, const std::string& serial) {
  return CaCertificate{role, serial, "CN=" + role, Bytes{1, 2, 3}, Bytes{9}, role + "-key",
                       TimePoint(std::chrono::seconds(1000)), TimePoint(std::chrono::seconds(2000))};
}

TEST(SqliteStore, CreatesSchemaAndRecordsMigrations) {
  TempDir dir;
  auto store = SqliteStore::open(dir.path() / "q.db", SqliteStore::Mode::create);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(*(*store)->schema_version(), SqliteStore::latest_schema_version());
  auto counts = (*store)->counts();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->identities, 0);
  // Reopening applies nothing twice.
  store->reset();
  auto again = SqliteStore::open(dir.path() / "q.db", SqliteStore::Mode::open_existing);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*(*again)->schema_version(), SqliteStore::latest_schema_version());
}

TEST(SqliteStore, ServiceMaterialIsAllOrNothing) {
  TempDir dir;
  auto store = std::move(*SqliteStore::open(dir.path() / "q.db", SqliteStore::Mode::create));
  ASSERT_TRUE(store->put_service_material({cert("root", "01")}, {}));
  // A second batch with a duplicate role fails and leaves nothing of itself behind.
  auto dup = store->put_service_material({cert("issuing", "02"), cert("root", "03")}, {});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::already_exists);
  auto all = store->ca_certificates();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().serial_hex, "01");
  EXPECT_EQ(store->ca_certificate("issuing").error().code, ErrorCode::not_found);
  auto root = store->ca_certificate("root");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->not_after.time_since_epoch().count(), 2000);
}

TEST(SqliteStore, Settings) {
  TempDir dir;
  auto store = std::move(*SqliteStore::open(dir.path() / "q.db", SqliteStore::Mode::create));
  EXPECT_FALSE(store->setting("a")->has_value());
  ASSERT_TRUE(store->set_setting("a", "1"));
  ASSERT_TRUE(store->set_setting("a", "2"));
  EXPECT_EQ(**store->setting("a"), "2");
}

TEST(SqliteStore, RefusesMissingCorruptAndNewerDatabases) {
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

  auto newer = dir.path() / "newer.db";
  ASSERT_TRUE(SqliteStore::open(newer, SqliteStore::Mode::create));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(newer.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (999, 'future', 0)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto refused = SqliteStore::open(newer, SqliteStore::Mode::open_existing);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("newer than this qualsig"), std::string::npos);
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

namespace qualsig::store {
namespace {

LogRow row(std::uint64_t seq) { return LogRow{seq, "{\"seq\":" + std::to_string(seq) + "}", Bytes(32, static_cast<std::uint8_t>(seq))}; }

TEST(SqliteStoreLog, AppendsInBatchesAndRefusesATakenSeqAtomically) {
  qualsig::testing::TempDir dir;
  auto store = std::move(*SqliteStore::open(dir.path() / "q.db", SqliteStore::Mode::create));
  EXPECT_EQ(*store->log_size(), 0u);
  ASSERT_TRUE(store->append_log_rows({row(0), row(1), row(2)}));
  EXPECT_EQ(*store->log_size(), 3u);
  // A batch that collides on seq 2 writes nothing, not even seq 3.
  auto clash = store->append_log_rows({row(3), row(2)});
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::already_exists);
  EXPECT_EQ(*store->log_size(), 3u);
  EXPECT_EQ(store->log_row(3).error().code, ErrorCode::not_found);
  EXPECT_EQ(store->log_row(1)->entry, "{\"seq\":1}");
}

TEST(SqliteStoreLog, StreamsRowsAcrossPagesAndStopsWhenAsked) {
  qualsig::testing::TempDir dir;
  auto store = std::move(*SqliteStore::open(dir.path() / "q.db", SqliteStore::Mode::create));
  std::vector<LogRow> rows;
  for (std::uint64_t i = 0; i < 10000; ++i) rows.push_back(row(i));
  ASSERT_TRUE(store->append_log_rows(rows));
  std::uint64_t expected = 100, seen = 0;
  ASSERT_TRUE(store->for_each_log_row(100, [&](const LogRow& r) {
    EXPECT_EQ(r.seq, expected++);
    ++seen;
    return true;
  }));
  EXPECT_EQ(seen, 9900u);
  seen = 0;
  ASSERT_TRUE(store->for_each_log_row(0, [&](const LogRow&) { return ++seen < 5; }));
  EXPECT_EQ(seen, 5u);
}

TEST(SqliteStoreLog, Checkpoints) {
  qualsig::testing::TempDir dir;
  auto store = std::move(*SqliteStore::open(dir.path() / "q.db", SqliteStore::Mode::create));
  EXPECT_FALSE(store->latest_checkpoint()->has_value());
  ASSERT_TRUE(store->put_checkpoint({5, Bytes(32, 1), TimePoint(std::chrono::seconds(10)), "note5"}));
  ASSERT_TRUE(store->put_checkpoint({2, Bytes(32, 2), TimePoint(std::chrono::seconds(5)), "note2"}));
  EXPECT_EQ(store->put_checkpoint({5, Bytes(32, 3), TimePoint(std::chrono::seconds(11)), "again"}).error().code,
            ErrorCode::already_exists);
  EXPECT_EQ((*store->latest_checkpoint())->note, "note5");
  auto all = store->checkpoints();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->front().tree_size, 2u);
}

}  // namespace
}  // namespace qualsig::store

namespace qualsig::store {
namespace {

TEST(SqliteStoreLog, AppendAfterSeesOtherWritersRowsAndBuildFailureWritesNothing) {
  qualsig::testing::TempDir dir;
  auto store = std::move(*SqliteStore::open(dir.path() / "q.db", SqliteStore::Mode::create));
  ASSERT_TRUE(store->append_log_rows({row(0), row(1)}));
  // We knew 1 row; another writer added seq 1; we append after it.
  auto others = store->append_log_rows_after(1, [](const std::vector<LogRow>& seen) -> Result<std::vector<LogRow>> {
    EXPECT_EQ(seen.size(), 1u);
    return std::vector<LogRow>{row(1 + seen.size())};
  });
  ASSERT_TRUE(others) << others.error().message;
  EXPECT_EQ(*store->log_size(), 3u);
  auto refused = store->append_log_rows_after(3, [](const std::vector<LogRow>&) -> Result<std::vector<LogRow>> {
    return fail(ErrorCode::invalid_input, "no");
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "no");
  EXPECT_EQ(*store->log_size(), 3u);
}

}  // namespace
}  // namespace qualsig::store

namespace qualsig::store {
namespace {

IdentityRecord identity_named(const std::string& name) {
  IdentityRecord r;
  r.name = name;
  r.kind = "service-account";
  r.state = "pending-proofing";
  r.organization = "Acme";
  r.organization_identifier = "VATNL-1";
  r.country = "NL";
  r.sponsor = "finance lead";
  r.purpose = "seals invoices";
  r.created_at = r.updated_at = TimePoint(std::chrono::seconds(100));
  return r;
}

TEST(SqliteStoreIdentity, IdentitiesProofingAndCertificates) {
  qualsig::testing::TempDir dir;
  auto store = std::move(*SqliteStore::open(dir.path() / "q.db", SqliteStore::Mode::create));
  auto id = store->create_identity(identity_named("invoice-bot"));
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(store->create_identity(identity_named("invoice-bot")).error().code, ErrorCode::already_exists);
  auto rec = *store->identity("invoice-bot");
  EXPECT_FALSE(rec.acts_for.has_value());
  rec.state = "active";
  rec.assurance_level = "IAL2";
  ASSERT_TRUE(store->update_identity(rec));
  EXPECT_EQ(store->identity("invoice-bot")->assurance_level, "IAL2");
  EXPECT_EQ(store->identity("nobody").error().code, ErrorCode::not_found);

  ProofingRecord p{0, *id, "sponsor", "pending-confirmation", "finance lead", "{}", "sha256:00", "IAL2", "alice",
                   std::nullopt, TimePoint(std::chrono::seconds(5)), std::nullopt};
  auto pid = store->add_proofing(p);
  ASSERT_TRUE(pid);
  p.id = *pid;
  p.status = "confirmed";
  p.confirmed_by = "bob";
  ASSERT_TRUE(store->update_proofing(p));
  EXPECT_EQ(store->proofings(*id)->front().confirmed_by, "bob");

  CertificateRecord c;
  c.serial_hex = "0A";
  c.identity_id = *id;
  c.der = Bytes{1};
  c.key_id = Bytes{2};
  c.key_label = "k";
  c.status = "valid";
  ASSERT_TRUE(store->put_certificate(c));
  EXPECT_EQ(store->put_certificate(c).error().code, ErrorCode::already_exists);
  EXPECT_EQ(store->certificate("0A")->identity_name, "invoice-bot");
  c.status = "revoked";
  c.revoked_at = TimePoint(std::chrono::seconds(7));
  c.revocation_reason = "keyCompromise";
  ASSERT_TRUE(store->update_certificate_status(c));
  ASSERT_EQ(store->revoked_certificates()->size(), 1u);
  EXPECT_EQ(store->counts()->revoked_certificates, 1);

  ASSERT_TRUE(store->put_crl({"issuing", 2, TimePoint(std::chrono::seconds(1)), TimePoint(std::chrono::seconds(2)), Bytes{9}}));
  ASSERT_TRUE(store->put_crl({"issuing", 1, TimePoint(std::chrono::seconds(1)), TimePoint(std::chrono::seconds(2)), Bytes{8}}));
  EXPECT_EQ((*store->crl("issuing"))->crl_number, 2u);  // an older number never replaces a newer CRL
}

}  // namespace
}  // namespace qualsig::store
