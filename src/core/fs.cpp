#include "core/fs.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace qualsig::core {
namespace fs = std::filesystem;

namespace {
Error errno_error(const std::string& what, const fs::path& path) {
  return make_error(ErrorCode::environment, what + " " + path.string() + ": " + std::strerror(errno));
}

// Reads a regular file into `Out` (std::string or Bytes), sized from fstat up front so a large
// document is held once, not in a doubling buffer.
template <typename Out>
Result<Out> read_whole(const fs::path& path, std::size_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return fail(ErrorCode::not_found, "no such file: " + path.string());
    return fail(errno_error("cannot open", path));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorCode::invalid_input, "not a regular file: " + path.string());
  }
  if (static_cast<std::size_t>(st.st_size) > max_size) {
    ::close(fd);
    return fail(ErrorCode::invalid_input,
                "file too large: " + path.string() + " (limit " + std::to_string(max_size) + " bytes)");
  }
  Out out;
  out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      auto err = errno_error("cannot read", path);
      ::close(fd);
      return fail(err);
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
    if (out.size() > max_size) {
      ::close(fd);
      return fail(ErrorCode::invalid_input, "file too large: " + path.string());
    }
  }
  ::close(fd);
  return out;
}

}  // namespace

Result<std::string> read_file(const fs::path& path, std::size_t max_size) { return read_whole<std::string>(path, max_size); }

Result<Bytes> read_file_bytes(const fs::path& path, std::size_t max_size) { return read_whole<Bytes>(path, max_size); }

Result<void> sync_directory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail(errno_error("cannot open directory", dir));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return fail(errno_error("cannot sync directory", dir));
  return ok();
}

Result<void> write_file_atomic(const fs::path& path, std::string_view data, fs::perms mode) {
  return write_file_atomic(path, std::vector<std::string_view>{data}, mode);
}

Result<void> write_file_atomic(const fs::path& path, const std::vector<std::string_view>& parts, fs::perms mode) {
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  // Built with append: GCC 12 -O3 warns falsely (-Wrestrict, GCC bug 105329) on "." + s.
  std::string name(".");
  name.append(path.filename().string()).append(".tmpXXXXXX");
  std::string tmpl = (dir / name).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return fail(errno_error("cannot create file in", dir));
  auto cleanup = [&](Error e) {
    ::close(fd);
    ::unlink(tmpl.c_str());
    return fail(std::move(e));
  };
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) return cleanup(errno_error("cannot chmod", tmpl));
  for (std::string_view data : parts) {
    std::size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::write(fd, data.data() + off, data.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return cleanup(errno_error("cannot write", path));
      }
      off += static_cast<std::size_t>(n);
    }
  }
  if (::fsync(fd) != 0) return cleanup(errno_error("cannot sync", path));
  if (::close(fd) != 0) {
    ::unlink(tmpl.c_str());
    return fail(errno_error("cannot close", path));
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    auto e = errno_error("cannot rename into", path);
    ::unlink(tmpl.c_str());
    return fail(e);
  }
  return sync_directory(dir);
}

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");  // broken invariant: no entropy source
  return out;
}

}  // namespace qualsig::core
