#include "core/fs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

namespace qualsig::core {
namespace {
namespace fs = std::filesystem;

class FsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("qualsig-fs-" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }
  fs::path m_dir;
};

TEST_F(FsTest, AtomicWriteReplacesContentAndSetsMode) {
  auto p = m_dir / "secret.txt";
  ASSERT_TRUE(write_file_atomic(p, "one", fs::perms::owner_read | fs::perms::owner_write));
  ASSERT_TRUE(write_file_atomic(p, "two", fs::perms::owner_read | fs::perms::owner_write));
  EXPECT_EQ(*read_file(p), "two");
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // No temporary file is left behind.
  int entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(m_dir)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(FsTest, ReadRefusesOversizeMissingAndDirectories) {
  auto p = m_dir / "big";
  ASSERT_TRUE(write_file_atomic(p, std::string(100, 'x')));
  auto big = read_file(p, 10);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(read_file(m_dir / "missing").error().code, ErrorCode::not_found);
  EXPECT_EQ(read_file(m_dir).error().code, ErrorCode::invalid_input);
}

TEST_F(FsTest, WriteIntoMissingDirectoryFails) {
  auto r = write_file_atomic(m_dir / "nope" / "file", "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::environment);
}

}  // namespace
}  // namespace qualsig::core
