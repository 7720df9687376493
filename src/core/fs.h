#pragma once
// Files: bounded reads and crash-safe writes (write to a temporary file, fsync, rename,
// fsync the directory), so a reader sees the old content or the new, never half of it.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace qualsig::core {

// Reads a whole file; fails with invalid_input if it is larger than max_size bytes.
Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_size = 64u << 20);

// As read_file, into bytes (one buffer of the file's size: no second copy for large documents).
Result<Bytes> read_file_bytes(const std::filesystem::path& path, std::size_t max_size = 64u << 20);

// Writes `data` to `path` atomically with the given permission bits.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view data,
                               std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::owner_write |
                                                             std::filesystem::perms::group_read |
                                                             std::filesystem::perms::others_read);

// As above, with the file made of `parts` one after the other (e.g. a PDF and its incremental
// update, without joining them in memory first).
Result<void> write_file_atomic(const std::filesystem::path& path, const std::vector<std::string_view>& parts,
                               std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::owner_write |
                                                             std::filesystem::perms::group_read |
                                                             std::filesystem::perms::others_read);

// fsync of a directory, so a rename or a new file in it survives a crash.
Result<void> sync_directory(const std::filesystem::path& dir);

// Random bytes from the OS CSPRNG (through OpenSSL's DRBG).
Bytes random_bytes(std::size_t n);

}  // namespace qualsig::core
