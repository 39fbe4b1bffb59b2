// A file of untrusted content, read front to back. Every read is checked against the file
// size first, so a hostile length field yields a FormatError naming the file, never a
// short read or an allocation larger than the file.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace sslflow::io {

class InputFile {
 public:
  // FormatError when `path` is not a readable regular file.
  explicit InputFile(std::string path);

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }
  uint64_t remaining() const { return size_ - position_; }

  // Reads exactly `n` bytes; FormatError mentioning `what` when fewer remain.
  void read(void* dst, uint64_t n, const char* what);
  std::vector<unsigned char> read_bytes(uint64_t n, const char* what);
  std::string read_text(uint64_t n, const char* what);

  [[noreturn]] void fail(const std::string& message) const;

 private:
  void require(uint64_t n, const char* what) const;

  std::string path_;
  std::ifstream in_;
  uint64_t size_ = 0;
  uint64_t position_ = 0;
};

}  // namespace sslflow::io
