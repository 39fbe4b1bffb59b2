#include "sslflow/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <streambuf>
#include <system_error>

#include "sslflow/error.hpp"

namespace sslflow::io {

namespace {

std::string reason(int err) { return std::generic_category().message(err); }

// An output stream buffer over a POSIX file descriptor. A failed write() is remembered
// (errno) and reported by the caller, since std::ostream swallows streambuf failures.
class FdStreamBuf final : public std::streambuf {
 public:
  explicit FdStreamBuf(int fd) : fd_(fd) { reset_buffer(); }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type ch) override {
    if (!flush_buffer()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }

  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n < epptr() - pptr()) return std::streambuf::xsputn(s, n);
    // Large blocks (tensor data) bypass the buffer.
    if (!flush_buffer() || !write_all(s, static_cast<size_t>(n))) return 0;
    return n;
  }

  int sync() override { return flush_buffer() ? 0 : -1; }

 private:
  void reset_buffer() { setp(buffer_.data(), buffer_.data() + buffer_.size()); }

  bool flush_buffer() {
    bool ok = write_all(pbase(), static_cast<size_t>(pptr() - pbase()));
    reset_buffer();
    return ok;
  }

  bool write_all(const char* p, size_t n) {
    if (error_ != 0) return false;
    while (n > 0) {
      ssize_t written = ::write(fd_, p, n);
      if (written < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return false;
      }
      p += written;
      n -= static_cast<size_t>(written);
    }
    return true;
  }

  int fd_;
  int error_ = 0;
  std::array<char, 1 << 16> buffer_;
};

// The temporary file next to the target; removed on destruction unless committed.
class TempFile {
 public:
  explicit TempFile(const std::string& target) {
    static std::atomic<unsigned long> counter{0};
    for (;;) {
      path_ = target + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ >= 0) return;
      if (errno != EEXIST && errno != EINTR)
        throw FormatError(target, "cannot create temporary file " + path_ + ": " + reason(errno));
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

  // Closes the descriptor; returns errno of a failed close, 0 on success.
  int close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }
  void commit() { committed_ = true; }

 private:
  std::string path_;
  int fd_ = -1;
  bool committed_ = false;
};

void sync_directory_of(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw FormatError(path, "cannot open directory " + dir.string() + " to sync it: " + reason(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  // EINVAL: the file system does not support syncing directories; the rename stands.
  if (rc != 0 && err != EINVAL) throw FormatError(path, "cannot sync directory " + dir.string() + ": " + reason(err));
}

}  // namespace

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  TempFile temp(path);
  {
    FdStreamBuf buffer(temp.fd());
    std::ostream out(&buffer);
    write(out);
    out.flush();
    if (buffer.error() != 0) throw FormatError(path, "cannot write " + temp.path() + ": " + reason(buffer.error()));
    if (!out) throw FormatError(path, "cannot write " + temp.path() + ": the output stream failed");
  }
  if (::fsync(temp.fd()) != 0) throw FormatError(path, "cannot sync " + temp.path() + ": " + reason(errno));
  if (int err = temp.close(); err != 0) throw FormatError(path, "cannot close " + temp.path() + ": " + reason(err));
  if (::rename(temp.path().c_str(), path.c_str()) != 0)
    throw FormatError(path, "cannot rename " + temp.path() + " over it: " + reason(errno));
  temp.commit();
  sync_directory_of(path);
}

}  // namespace sslflow::io
