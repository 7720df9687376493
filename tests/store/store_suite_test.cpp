// The shared store test-suite: every test runs on SQLite and on PostgreSQL (store_backends.h).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store_backends.h"

namespace qualsig::store {
namespace {

using testing::StoreTest;
using namespace std::chrono_literals;

CaCertificate cert(const std::string& role, const std::string& serial) {
  return CaCertificate{role, serial, "CN=" + role, Bytes{1, 2, 3}, Bytes{9}, role + "-key",
                       TimePoint(std::chrono::seconds(1000)), TimePoint(std::chrono::seconds(2000))};
}
LogRow row(std::uint64_t seq) {
  return LogRow{seq, "{\"seq\":" + std::to_string(seq) + "}", Bytes(32, static_cast<std::uint8_t>(seq))};
}

TEST(StoreSchema, BothBackendsKnowTheSameNumberOfMigrations) {
  EXPECT_EQ(PostgresStore::latest_schema_version(), SqliteStore::latest_schema_version());
  EXPECT_EQ(SqliteStore::latest_schema_version(), 9);
}

class StoreSuite : public StoreTest {};
QUALSIG_STORE_BACKENDS(StoreSuite);

TEST_P(StoreSuite, CreatesSchemaAndRecordsMigrationsOnce) {
  auto store = open_store();
  EXPECT_EQ(*store->schema_version(), SqliteStore::latest_schema_version());
  EXPECT_EQ(store->counts()->identities, 0);
  EXPECT_NE(store->describe().find(GetParam() == testing::Backend::sqlite ? "SQLite" : "PostgreSQL 15"), std::string::npos)
      << store->describe();
  store.reset();
  auto again = db().open(false);  // open_existing applies nothing twice
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*(*again)->schema_version(), SqliteStore::latest_schema_version());
}

TEST_P(StoreSuite, OpenExistingRefusesADatabaseWithoutSchema) {
  auto r = db().open(false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::database) << r.error().message;
}

TEST_P(StoreSuite, RefusesASchemaNewerThanTheProgram) {
  open_store();
  ASSERT_EQ(db().exec_raw("INSERT INTO schema_migrations(version, description, applied_at) VALUES (999, 'future', 0)"), "");
  auto refused = db().open(false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::database);
  EXPECT_NE(refused.error().message.find("newer than this qualsig"), std::string::npos) << refused.error().message;
}

TEST_P(StoreSuite, ServiceMaterialIsAllOrNothing) {
  auto store = open_store();
  ASSERT_TRUE(store->put_service_material({cert("root", "01")}, {ServiceKey{"audit-log", Bytes{7}, "log", Bytes{1, 2}}}));
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
  EXPECT_EQ(root->der, (Bytes{1, 2, 3}));
  EXPECT_EQ(store->service_keys()->front().public_key_der, (Bytes{1, 2}));
}

TEST_P(StoreSuite, Settings) {
  auto store = open_store();
  EXPECT_FALSE(store->setting("a")->has_value());
  ASSERT_TRUE(store->set_setting("a", "1"));
  ASSERT_TRUE(store->set_setting("a", "2"));
  EXPECT_EQ(**store->setting("a"), "2");
}

// A read does not queue behind a write transaction (and its commit's fsync): it runs on a
// connection of its own and sees the last committed state.
TEST_P(StoreSuite, ReadsRunWhileAWriteTransactionIsOpen) {
  auto store = open_store();
  ASSERT_TRUE(store->set_setting("a", "committed"));
  std::future_status read_status = std::future_status::deferred;
  std::string seen;
  std::future<void> read;  // out here: a read that waits for the commit must not block the commit
  auto appended = store->append_log_rows_after(0, [&](const std::vector<LogRow>&, const Store::CompanionWriter&) -> Result<std::vector<LogRow>> {
    // Inside the write transaction: another thread reads.
    read = std::async(std::launch::async, [&] {
      auto v = store->setting("a");
      if (v && *v) seen = **v;
    });
    read_status = read.wait_for(5s);
    return std::vector<LogRow>{row(0)};
  });
  read.wait();
  ASSERT_TRUE(appended) << appended.error().message;
  EXPECT_EQ(read_status, std::future_status::ready) << "the read waited for the write transaction";
  EXPECT_EQ(seen, "committed");
}

// Many threads reading and writing at once, more than the connections kept for reads: every
// read succeeds and sees the writes that returned before it.
TEST_P(StoreSuite, ConcurrentReadersAndWritersSeeWhatWasCommitted) {
  auto store = open_store();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 24; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string key = "k" + std::to_string(t), value = std::to_string(i);
        if (!store->set_setting(key, value)) ++failures;
        auto back = store->setting(key);
        if (!back || !*back || **back != value) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_P(StoreSuite, HostileStringsAndAllByteValuesAreStoredVerbatim) {
  auto store = open_store();
  const std::vector<std::string> hostile = {
      "'; DROP TABLE settings; --", "\" OR 1=1 --", "$1", "\\x00\\", "Robert'); DELETE FROM audit_log;--",
      "ünïcødé ✓ 𝄞", "%s%n", std::string(70000, 'q')};
  for (std::size_t i = 0; i < hostile.size(); ++i) {
    ASSERT_TRUE(store->set_setting(hostile[i], hostile[i])) << i;
    EXPECT_EQ(**store->setting(hostile[i]), hostile[i]) << i;
  }
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  ASSERT_TRUE(store->append_log_rows({LogRow{0, hostile[0], all}}));
  EXPECT_EQ(store->log_row(0)->leaf_hash, all);
  EXPECT_EQ(store->log_row(0)->entry, hostile[0]);
  EXPECT_EQ(*store->log_size(), 1u);  // the tables survived the attempts
}

TEST_P(StoreSuite, LogAppendsInBatchesAndRefusesATakenSeqAtomically) {
  auto store = open_store();
  EXPECT_EQ(*store->log_size(), 0u);
  ASSERT_TRUE(store->append_log_rows({row(0), row(1), row(2)}));
  EXPECT_EQ(*store->log_size(), 3u);
  auto clash = store->append_log_rows({row(3), row(2)});
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::already_exists);
  EXPECT_EQ(*store->log_size(), 3u);
  EXPECT_EQ(store->log_row(3).error().code, ErrorCode::not_found);
  EXPECT_EQ(store->log_row(1)->entry, "{\"seq\":1}");
}

TEST_P(StoreSuite, LogStreamsRowsAcrossPagesAndStopsWhenAsked) {
  auto store = open_store();
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

TEST_P(StoreSuite, LogCheckpoints) {
  auto store = open_store();
  EXPECT_FALSE(store->latest_checkpoint()->has_value());
  ASSERT_TRUE(store->put_checkpoint({5, Bytes(32, 1), TimePoint(std::chrono::seconds(10)), "note5"}));
  ASSERT_TRUE(store->put_checkpoint({2, Bytes(32, 2), TimePoint(std::chrono::seconds(5)), "note2"}));
  EXPECT_EQ(store->put_checkpoint({5, Bytes(32, 3), TimePoint(std::chrono::seconds(11)), "again"}).error().code,
            ErrorCode::already_exists);
  EXPECT_EQ((*store->latest_checkpoint())->note, "note5");
  auto all = store->checkpoints();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->front().tree_size, 2u);
  EXPECT_EQ(all->front().root_hash, Bytes(32, 2));
}

TEST_P(StoreSuite, LogAppendAfterSeesOtherWritersRowsAndBuildFailureWritesNothing) {
  auto store = open_store();
  ASSERT_TRUE(store->append_log_rows({row(0), row(1)}));
  auto others = store->append_log_rows_after(1, [](const std::vector<LogRow>& seen, const Store::CompanionWriter&) -> Result<std::vector<LogRow>> {
    EXPECT_EQ(seen.size(), 1u);
    return std::vector<LogRow>{row(1 + seen.size())};
  });
  ASSERT_TRUE(others) << others.error().message;
  ASSERT_EQ(others->size(), 1u);
  EXPECT_EQ(others->front().seq, 1u);
  EXPECT_EQ(others->front().leaf_hash, row(1).leaf_hash);
  EXPECT_TRUE(others->front().entry.empty()) << "the sequencer reads the others' leaf hashes, not their text";
  EXPECT_EQ(*store->log_size(), 3u);
  auto refused = store->append_log_rows_after(3, [](const std::vector<LogRow>&, const Store::CompanionWriter&) -> Result<std::vector<LogRow>> {
    return fail(ErrorCode::invalid_input, "no");
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "no");
  EXPECT_EQ(*store->log_size(), 3u);
  // A builder returning a taken seq: already_exists, nothing written.
  auto clash = store->append_log_rows_after(3, [](const std::vector<LogRow>&, const Store::CompanionWriter&) -> Result<std::vector<LogRow>> {
    return std::vector<LogRow>{row(3), row(0)};
  });
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::already_exists);
  EXPECT_EQ(*store->log_size(), 3u);
}

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

TEST_P(StoreSuite, IdentitiesProofingAndCertificates) {
  auto store = open_store();
  auto id = store->create_identity(identity_named("invoice-bot"));
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(store->create_identity(identity_named("invoice-bot")).error().code, ErrorCode::already_exists);
  auto rec = *store->identity("invoice-bot");
  EXPECT_FALSE(rec.acts_for.has_value());
  EXPECT_EQ(rec.created_at, TimePoint(std::chrono::seconds(100)));
  rec.state = "active";
  rec.assurance_level = "IAL2";
  ASSERT_TRUE(store->update_identity(rec));
  EXPECT_EQ(store->identity("invoice-bot")->assurance_level, "IAL2");
  EXPECT_EQ(store->identity("nobody").error().code, ErrorCode::not_found);
  rec.id = 999999;
  EXPECT_EQ(store->update_identity(rec).error().code, ErrorCode::not_found);
  ASSERT_TRUE(store->create_identity(identity_named("another")));
  EXPECT_EQ(store->identities()->front().name, "another");

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
  EXPECT_EQ(store->certificates(std::nullopt)->size(), 1u);
  EXPECT_EQ(store->certificates(*id + 1000)->size(), 0u);
  auto generation = *store->revocation_generation();
  c.status = "revoked";
  c.revoked_at = TimePoint(std::chrono::seconds(7));
  c.revocation_reason = "keyCompromise";
  ASSERT_TRUE(store->update_certificate_status(c));
  EXPECT_EQ(*store->revocation_generation(), generation + 1);
  ASSERT_EQ(store->revoked_certificates()->size(), 1u);
  EXPECT_EQ(store->counts()->revoked_certificates, 1);
  c.serial_hex = "FF";
  EXPECT_EQ(store->update_certificate_status(c).error().code, ErrorCode::not_found);
  EXPECT_EQ(*store->revocation_generation(), generation + 1);  // rolled back with the failed update

  ASSERT_TRUE(store->put_crl({"issuing", 2, TimePoint(std::chrono::seconds(1)), TimePoint(std::chrono::seconds(2)), Bytes{9}}));
  ASSERT_TRUE(store->put_crl({"issuing", 1, TimePoint(std::chrono::seconds(1)), TimePoint(std::chrono::seconds(2)), Bytes{8}}));
  EXPECT_EQ((*store->crl("issuing"))->crl_number, 2u);  // an older number never replaces a newer CRL
  EXPECT_EQ((*store->crl("issuing"))->der, Bytes{9});
  EXPECT_FALSE(store->crl("other")->has_value());
}

TEST_P(StoreSuite, ApiClientsAndAccessTokens) {
  auto store = open_store();
  const TimePoint t0(std::chrono::seconds(1'790'000'000));
  ApiClientRecord client{"qsc_01", "operator:me", {"admin", "auditor"}, "$argon2id$v=19$x", "ops", t0, "init", std::nullopt};
  ASSERT_TRUE(store->put_api_client(client));
  EXPECT_EQ(store->put_api_client(client).error().code, ErrorCode::already_exists);
  EXPECT_EQ(store->api_client("qsc_01")->roles, (std::vector<std::string>{"admin", "auditor"}));
  EXPECT_EQ(store->api_client("qsc_02").error().code, ErrorCode::not_found);
  ASSERT_TRUE(store->disable_api_client("qsc_01", t0 + 1h));
  EXPECT_EQ(store->disable_api_client("qsc_01", t0 + 2h).error().code, ErrorCode::conflict);
  EXPECT_EQ(store->disable_api_client("qsc_09", t0).error().code, ErrorCode::not_found);
  EXPECT_EQ(store->api_clients()->front().disabled_at, std::optional<TimePoint>(t0 + 1h));

  AccessTokenRecord token{"sha256:t1", "operator:me", {"admin"}, "qsc_01", "client_credentials", t0, t0 + 1h, std::nullopt};
  ASSERT_TRUE(store->put_access_token(token));
  token.token_hash = "sha256:t2";
  ASSERT_TRUE(store->put_access_token(token));
  token.token_hash = "sha256:old";
  token.expires_at = t0 + 1s;
  ASSERT_TRUE(store->put_access_token(token));
  EXPECT_EQ(store->access_token("sha256:t1")->grant, "client_credentials");
  EXPECT_EQ(store->access_token("sha256:zz").error().code, ErrorCode::not_found);
  ASSERT_TRUE(store->revoke_access_token("sha256:t1", t0 + 1min));
  ASSERT_TRUE(store->revoke_access_token("sha256:t1", t0 + 2min));  // idempotent, keeps the first time
  EXPECT_EQ(store->access_token("sha256:t1")->revoked_at, std::optional<TimePoint>(t0 + 1min));
  EXPECT_EQ(store->revoke_access_token("sha256:zz", t0).error().code, ErrorCode::not_found);
  EXPECT_EQ(*store->revoke_access_tokens_of("operator:me", t0 + 10s), 1);  // t2 only: t1 revoked, old expired
  EXPECT_TRUE(store->access_token("sha256:t2")->revoked_at.has_value());
  EXPECT_FALSE(store->access_token("sha256:old")->revoked_at.has_value());
}

}  // namespace
}  // namespace qualsig::store
