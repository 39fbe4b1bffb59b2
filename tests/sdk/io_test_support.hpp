// Helpers shared by the file-format tests: a private temporary directory and raw file
// access, so each test writes its own (often malformed) bytes, and checks that a reader
// rejects malformed files with a FormatError.
#pragma once

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sslflow/error.hpp"

namespace sslflow::testing {

// A fresh directory under the system temporary directory, removed with its contents.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("sslflow-io-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A fixture written by tests/sdk/data/make_io_fixtures.py.
inline std::string data_file(const std::string& relative) {
  return std::string(SSLFLOW_SOURCE_DIR) + "/tests/sdk/data/io/" + relative;
}

// Runs `read` on `path` and checks it throws a FormatError for that path whose message
// contains `expected`.
template <class Read>
void require_format_error(Read read, const std::string& path, const std::string& expected) {
  try {
    read(path);
  } catch (const FormatError& e) {
    INFO(e.what());
    CHECK(e.path() == path);
    CHECK_THAT(e.what(), Catch::Contains(expected));
    return;
  }
  FAIL("no FormatError for a file that should give \"" << expected << "\"");
}

// A hand-made file that a reader must reject: what is wrong with it, its bytes, and text the
// FormatError's message must contain.
struct MalformedFile {
  const char* what;
  std::string bytes;
  const char* message;
};

// Writes each file in turn to `dir`/`name` and checks, in a section per file, that `read`
// rejects it with its message.
template <class Read>
void require_format_errors(Read read, const TempDir& dir, const std::string& name,
                           const std::vector<MalformedFile>& files) {
  for (const MalformedFile& file : files) {
    DYNAMIC_SECTION(file.what) {
      const std::string path = dir.file(name);
      write_bytes(path, file.bytes);
      require_format_error(read, path, file.message);
    }
  }
}

// Feeds `read` every prefix of `original` and every copy with one of its first `span`
// bytes replaced by a byte that often breaks parsers. Each must either read or throw a
// FormatError; any other outcome (another exception, a crash) fails the test. Returns
// how many variants were rejected.
template <class Read>
int reject_corruptions(Read read, const TempDir& dir, const std::string& original, size_t span) {
  const std::string path = dir.file("corrupt");
  int rejected = 0;
  auto attempt = [&](const std::string& bytes) {
    write_bytes(path, bytes);
    try {
      read(path);
    } catch (const FormatError&) {
      ++rejected;
    }
  };
  for (size_t length = 0; length < original.size(); ++length) attempt(original.substr(0, length));
  for (size_t i = 0; i < std::min(span, original.size()); ++i) {
    for (char replacement : {'\xff', '9', '"', '{'}) {
      if (original[i] == replacement) continue;
      std::string bytes = original;
      bytes[i] = replacement;
      attempt(bytes);
    }
  }
  return rejected;
}

}  // namespace sslflow::testing
