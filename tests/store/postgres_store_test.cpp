// PostgreSQL-only cases: several stores on one database behave like several `qualsig serve`
// nodes (issue 9): one audit log without forks, gaps or duplicates; migrations that race;
// passwords never echoed; a server that goes away; text PostgreSQL cannot hold.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/postgres/pg_connection.h"
#include "store_backends.h"
#include "support/run_command.h"

namespace qualsig::store {
namespace {

using testing::Backend;
using testing::TestDatabase;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::pg_test_url().empty()) GTEST_SKIP() << testing::kNoPgMessage;
    m_db = std::make_unique<TestDatabase>(Backend::postgres);
  }
  std::unique_ptr<PostgresStore> open_pg(PostgresStore::Mode mode = PostgresStore::Mode::create) {
    auto s = PostgresStore::open(m_db->url(), mode);
    if (!s) throw std::runtime_error(s.error().message);
    return std::move(*s);
  }
  std::unique_ptr<TestDatabase> m_db;
};

// The URL's password, as the test cluster set it.
std::string password_of(const std::string& url) {
  auto at = url.find('@');
  auto colon = url.rfind(':', at);
  return url.substr(colon + 1, at - colon - 1);
}

TEST_F(PostgresStoreTest, LogSequencerOnTwoNodesHasNoForksGapsOrDuplicates) {
  auto node_a = open_pg();
  auto node_b = open_pg(PostgresStore::Mode::open_existing);
  constexpr int kThreads = 8, kAppends = 25;
  std::atomic<int> forks{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      Store& node = t % 2 ? static_cast<Store&>(*node_a) : static_cast<Store&>(*node_b);
      std::uint64_t known = 0;  // this writer's view of the log, as the audit module keeps it
      for (int i = 0; i < kAppends; ++i) {
        std::size_t appended = 0;
        auto others = node.append_log_rows_after(known, [&](const std::vector<LogRow>& seen, const Store::CompanionWriter&) -> Result<std::vector<LogRow>> {
          // The rows we did not know must continue exactly where our view ends.
          for (std::size_t k = 0; k < seen.size(); ++k)
            if (seen[k].seq != known + k) ++forks;
          std::uint64_t next = known + seen.size();
          std::vector<LogRow> mine;
          for (std::uint64_t k = 0; k < 1 + static_cast<std::uint64_t>(i % 2); ++k)
            mine.push_back(LogRow{next + k, "{\"writer\":" + std::to_string(t) + "}", Bytes(32, static_cast<std::uint8_t>(t))});
          appended = mine.size();
          return mine;
        });
        if (!others) {
          ++failures;
          ADD_FAILURE() << others.error().message;
          return;
        }
        known += others->size() + appended;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(forks.load(), 0);
  EXPECT_EQ(failures.load(), 0);
  // 8 writers x (13 batches of 1 + 12 of 2) rows.
  const std::uint64_t expected = kThreads * (13 * 1 + 12 * 2);
  EXPECT_EQ(*node_a->log_size(), expected);
  std::uint64_t next = 0;
  std::map<std::string, int> per_writer;
  ASSERT_TRUE(node_b->for_each_log_row(0, [&](const LogRow& r) {
    EXPECT_EQ(r.seq, next++);
    ++per_writer[r.entry];
    return true;
  }));
  EXPECT_EQ(next, expected);
  ASSERT_EQ(per_writer.size(), static_cast<std::size_t>(kThreads));
  for (const auto& [writer, n] : per_writer) EXPECT_EQ(n, 37) << writer;
}

TEST_F(PostgresStoreTest, MigrationsRacingFromFourNodesApplyOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  std::mutex m;
  std::vector<std::string> errors;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      auto s = PostgresStore::open(m_db->url(), PostgresStore::Mode::create);
      std::lock_guard lock(m);
      if (s) ++opened;
      else errors.push_back(s.error().message);
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(opened.load(), 4) << (errors.empty() ? "" : errors.front());
  EXPECT_EQ(m_db->exec_raw("DO $$ BEGIN IF (SELECT COUNT(*) FROM schema_migrations) <> 9 THEN "
                           "RAISE EXCEPTION 'wrong number of migrations'; END IF; END $$"), "");
  EXPECT_EQ(*open_pg()->schema_version(), 9);
}

TEST_F(PostgresStoreTest, WrongPasswordFailsWithoutEchoingIt) {
  const std::string secret = "Sup3r-S3cret-pw";
  std::string url = m_db->url();
  std::string good = password_of(url);
  std::string bad = url;
  bad.replace(bad.find(good), good.size(), secret);
  auto r = PostgresStore::open(bad, PostgresStore::Mode::create);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::database);
  EXPECT_NE(r.error().message.find("password authentication failed"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find(secret), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().detail.find(secret), std::string::npos);
  // libpq echoes a bad URI parameter; the password next to it must not come along.
  auto malformed = PostgresStore::open(bad + "?no_such_option=" + secret, PostgresStore::Mode::create);
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().message.find(secret), std::string::npos) << malformed.error().message;
  auto store = open_pg();
  EXPECT_EQ(store->describe().find(good), std::string::npos);
  EXPECT_NE(store->describe().find("PostgreSQL 15."), std::string::npos) << store->describe();
  EXPECT_NE(store->describe().find("127.0.0.1:"), std::string::npos) << store->describe();
}

TEST_F(PostgresStoreTest, UrlsLibpqEchoesAreScrubbed) {
  // libpq quotes the whole URI when it cannot parse it.
  for (const std::string url : {"postgresql://qualsig:Sup3r-S3cret-pw@[::1/qualsig",
                                "postgres://qualsig:Sup3r-S3cret-pw@127.0.0.1:notaport/qualsig",
                                "postgresql://qualsig:Sup3r-S3cret-pw@127.0.0.1:5432/qualsig?sslmode=bogus"}) {
    auto r = PostgresStore::open(url, PostgresStore::Mode::create);
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error().message.find("Sup3r-S3cret-pw"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().detail.find("Sup3r-S3cret-pw"), std::string::npos) << r.error().detail;
  }
  // The scrubber itself: a password it was told about, URL userinfo, key=value conninfo.
  EXPECT_EQ(pg::scrub("bad \"postgresql://u:p%40ss@h/db\"", ""), "bad \"postgresql://u:***@h/db\"");
  EXPECT_EQ(pg::scrub("password=hunter2 host=x", ""), "password=*** host=x");
  EXPECT_EQ(pg::scrub("said hunter2 twice: hunter2", "hunter2"), "said *** twice: ***");
  EXPECT_EQ(pg::scrub("no secret here: postgresql://u@h/db", "zz"), "no secret here: postgresql://u@h/db");
}

TEST_F(PostgresStoreTest, NonPostgresUrlIsAUsageError) {
  EXPECT_EQ(PostgresStore::open("mysql://x@y/z", PostgresStore::Mode::create).error().code, ErrorCode::usage);
}

TEST_F(PostgresStoreTest, NoServerListeningIsUnavailable) {
  // A port nobody listens on: bind one, close it, connect to it.
  std::string url = "postgresql://qualsig:Sup3r-S3cret-pw@127.0.0.1:1/qualsig?connect_timeout=3";
  auto r = PostgresStore::open(url, PostgresStore::Mode::create);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unavailable) << r.error().message;
  EXPECT_EQ(r.error().message.find("Sup3r-S3cret-pw"), std::string::npos) << r.error().message;
}

TEST_F(PostgresStoreTest, TerminatedConnectionsAreReconnected) {
  auto store = open_pg();
  ASSERT_TRUE(store->set_setting("k", "v"));
  // The server ends every session of the store (as a restart or an admin would).
  ASSERT_EQ(m_db->exec_raw("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'qualsig' "
                           "AND datname = current_database() AND pid <> pg_backend_pid()"), "");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto v = store->setting("k");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(**v, "v");
  EXPECT_EQ(*store->next_counter("c"), 1u);  // prepared statements re-made on the new session
}

TEST_F(PostgresStoreTest, StoppedServerIsUnavailableWithAClearMessage) {
  qualsig::testing::TempDir dir;
  auto cluster = (dir.path() / "pg").string();
  auto started = qualsig::testing::run(std::string(QUALSIG_SOURCE_DIR "/scripts/pg-cluster start ") + cluster);
  ASSERT_EQ(started.status, 0) << started.output;
  std::ifstream in(cluster + "/url");
  std::string url;
  std::getline(in, url);
  auto store = PostgresStore::open(url, PostgresStore::Mode::create);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->set_setting("k", "v"));
  auto stopped = qualsig::testing::run(std::string(QUALSIG_SOURCE_DIR "/scripts/pg-cluster stop ") + cluster);
  ASSERT_EQ(stopped.status, 0) << stopped.output;
  auto r = (*store)->setting("k");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unavailable) << r.error().message;
  EXPECT_NE(r.error().message.find("PostgreSQL"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find(password_of(url)), std::string::npos) << r.error().message;
  EXPECT_EQ((*store)->next_counter("c").error().code, ErrorCode::unavailable);
}

TEST_F(PostgresStoreTest, TextPostgresCannotHoldIsInvalidInputNotTruncated) {
  auto store = open_pg();
  auto nul = store->set_setting("k", std::string("before\0after", 12));
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().code, ErrorCode::invalid_input) << nul.error().message;
  auto bad_utf8 = store->set_setting("k", std::string("\xC3\x28\xFF", 3));
  ASSERT_FALSE(bad_utf8);
  EXPECT_EQ(bad_utf8.error().code, ErrorCode::invalid_input) << bad_utf8.error().message;
  EXPECT_FALSE(store->setting("k")->has_value());
  // The connection stays usable after the refused statements.
  ASSERT_TRUE(store->set_setting("k", "ok"));
  EXPECT_EQ(**store->setting("k"), "ok");
}

TEST_F(PostgresStoreTest, MoreThreadsThanPooledConnections) {
  auto store = open_pg();
  std::vector<std::thread> threads;
  std::set<std::uint64_t> seen;
  std::mutex m;
  for (int t = 0; t < 12; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto v = store->next_counter("serial");
        ASSERT_TRUE(v) << v.error().message;
        std::lock_guard lock(m);
        EXPECT_TRUE(seen.insert(*v).second) << *v;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(seen.size(), 240u);
  EXPECT_EQ(*seen.rbegin(), 240u);
}

}  // namespace
}  // namespace qualsig::store
