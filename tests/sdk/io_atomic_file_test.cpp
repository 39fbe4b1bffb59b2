#include <catch2/catch.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "io_test_support.hpp"
#include "sslflow/io/atomic_file.hpp"

using namespace sslflow;
using namespace sslflow::io;
using sslflow::testing::read_bytes;
using sslflow::testing::TempDir;
using sslflow::testing::write_bytes;

namespace {

size_t entries_in(const std::filesystem::path& dir) {
  return static_cast<size_t>(
      std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()));
}

}  // namespace

TEST_CASE("IO.AtomicFile.replaces_the_whole_file", "[io]") {
  TempDir dir;
  const std::string path = dir.file("state.json");
  write_bytes(path, std::string(1000, 'x'));
  write_file_atomically(path, [](std::ostream& out) { out << "{\"step\": 3}"; });
  REQUIRE(read_bytes(path) == "{\"step\": 3}");

  const std::string large(300'000, 'a');  // larger than the stream buffer
  write_file_atomically(path, [&](std::ostream& out) { out << 'b' << large << 'c'; });
  REQUIRE(read_bytes(path) == "b" + large + "c");
  REQUIRE(entries_in(dir.path()) == 1);
}

TEST_CASE("IO.AtomicFile.failed_write_keeps_the_old_file", "[io]") {
  TempDir dir;
  const std::string path = dir.file("model.safetensors");
  write_bytes(path, "old");
  REQUIRE_THROWS_WITH(write_file_atomically(path,
                                            [](std::ostream& out) {
                                              out << "partial";
                                              throw std::runtime_error("interrupted");
                                            }),
                      "interrupted");
  REQUIRE(read_bytes(path) == "old");
  REQUIRE(entries_in(dir.path()) == 1);  // the temporary file is gone
}

TEST_CASE("IO.AtomicFile.missing_directory_is_a_format_error", "[io]") {
  TempDir dir;
  const std::string path = dir.file("absent/metrics.jsonl");
  REQUIRE_THROWS_AS(write_file_atomically(path, [](std::ostream& out) { out << "x"; }), FormatError);
  REQUIRE_FALSE(std::filesystem::exists(path));
}
