#include "io/input_file.hpp"

#include <filesystem>
#include <system_error>

#include "sslflow/error.hpp"

namespace sslflow::io {

InputFile::InputFile(std::string path) : path_(std::move(path)) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path_, error))
    fail(error ? "cannot read: " + error.message() : "not a regular file");
  size_ = std::filesystem::file_size(path_, error);
  if (error) fail("cannot read: " + error.message());
  in_.open(path_, std::ios::binary);
  if (!in_) fail("cannot open for reading");
}

void InputFile::require(uint64_t n, const char* what) const {
  if (n > remaining())
    fail(std::string(what) + " needs " + std::to_string(n) + " bytes at offset " + std::to_string(position_) +
         " but the file has only " + std::to_string(remaining()) + " left");
}

void InputFile::read(void* dst, uint64_t n, const char* what) {
  require(n, what);
  if (n == 0) return;
  in_.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
  if (!in_) fail(std::string("reading ") + what + " failed at offset " + std::to_string(position_));
  position_ += n;
}

std::vector<unsigned char> InputFile::read_bytes(uint64_t n, const char* what) {
  require(n, what);
  std::vector<unsigned char> bytes(n);
  read(bytes.data(), n, what);
  return bytes;
}

std::string InputFile::read_text(uint64_t n, const char* what) {
  require(n, what);
  std::string text(n, '\0');
  read(text.data(), n, what);
  return text;
}

void InputFile::fail(const std::string& message) const { throw FormatError(path_, message); }

}  // namespace sslflow::io
