#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "../sdk/io_test_support.hpp"
#include "builtin_registry.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/dataset.hpp"

using sslflow::Dataset;
using sslflow::Shape;
using sslflow::Split;
using sslflow::Value;
using sslflow::testing::TempDir;
using sslflow::testing::write_bytes;

namespace {

constexpr int64_t kPixels = 3 * 32 * 32;

std::shared_ptr<Dataset> cifar(const TempDir& dir, Value::Map options = {}) {
  options.emplace_back("path", dir.path().string());
  return sslflow::testing::make_builtin<Dataset>("cifar", Value(std::move(options)));
}

// The pixel bytes of record `id`: byte j is (id * 7 + j) mod 256, so every record and
// every channel plane differs.
std::string pixels_of(int id) {
  std::string bytes(kPixels, '\0');
  for (int64_t j = 0; j < kPixels; ++j) bytes[j] = char((id * 7 + j) % 256);
  return bytes;
}

// A file of records, each its label bytes then pixels_of(its id).
struct Record {
  std::vector<uint8_t> label_bytes;
  int id;
};

void write_records(const TempDir& dir, const std::string& name, const std::vector<Record>& records) {
  std::string bytes;
  for (const Record& r : records) bytes += std::string(r.label_bytes.begin(), r.label_bytes.end()) + pixels_of(r.id);
  write_bytes(dir.file(name), bytes);
}

// CIFAR-10 files holding 6 training records (2 in the first batch, 1 in each other) and
// 2 test records; record i has label (i * 3) mod 10 and id i.
void write_cifar10(const TempDir& dir) {
  int id = 0;
  auto record = [&] { return Record{{uint8_t(id * 3 % 10)}, id++}; };
  write_records(dir, "data_batch_1.bin", {record(), record()});
  for (int batch = 2; batch <= 5; ++batch)
    write_records(dir, "data_batch_" + std::to_string(batch) + ".bin", {record()});
  write_records(dir, "test_batch.bin", {record(), record()});
}

// CIFAR-100 files: 3 training and 1 test record, record i with coarse label 19 - i and fine
// label 99 - 10 * i.
void write_cifar100(const TempDir& dir) {
  auto record = [](int i) { return Record{{uint8_t(19 - i), uint8_t(99 - 10 * i)}, i}; };
  write_records(dir, "train.bin", {record(0), record(1), record(2)});
  write_records(dir, "test.bin", {record(3)});
}

// Checks that sample `index` of `split` holds the pixels of record `id`, scaled to [0, 1],
// and returns its label.
int64_t check_sample(const Dataset& dataset, Split split, int64_t index, int id) {
  std::vector<float> out(kPixels);
  const int64_t label = dataset.read(split, index, out);
  const std::string expected = pixels_of(id);
  for (int64_t j = 0; j < kPixels; ++j) REQUIRE(out[j] == float(uint8_t(expected[j])) / 255.0f);
  return label;
}

void require_open_error(Dataset& dataset, const std::string& path, const std::string& expected) {
  sslflow::testing::require_format_error([&](const std::string&) { dataset.open(); }, path, expected);
}

}  // namespace

TEST_CASE("Data.Cifar.cifar10_records", "[plugin]") {
  TempDir dir;
  write_cifar10(dir);
  auto dataset = cifar(dir);

  const auto peeked = dataset->peek();
  REQUIRE(peeked);
  CHECK(peeked->train_size == 6);
  CHECK(peeked->sample_shape == Shape{3, 32, 32});

  dataset->open();
  CHECK(dataset->size(Split::Train) == 6);
  CHECK(dataset->size(Split::Test) == 2);
  CHECK(dataset->sample_shape() == Shape{3, 32, 32});
  CHECK(dataset->num_classes() == 10);
  for (int i = 0; i < 6; ++i) CHECK(check_sample(*dataset, Split::Train, i, i) == i * 3 % 10);  // batches in order
  for (int i = 0; i < 2; ++i) CHECK(check_sample(*dataset, Split::Test, i, 6 + i) == (6 + i) * 3 % 10);
}

TEST_CASE("Data.Cifar.cifar100_fine_and_coarse_labels", "[plugin]") {
  TempDir dir;
  write_cifar100(dir);

  SECTION("fine by default") {
    auto dataset = cifar(dir);
    dataset->open();
    CHECK(dataset->num_classes() == 100);
    CHECK(dataset->size(Split::Train) == 3);
    for (int i = 0; i < 3; ++i) CHECK(check_sample(*dataset, Split::Train, i, i) == 99 - 10 * i);
    CHECK(check_sample(*dataset, Split::Test, 0, 3) == 69);
  }
  SECTION("coarse") {
    auto dataset = cifar(dir, {{"labels", "coarse"}, {"variant", "cifar100"}});
    dataset->open();
    CHECK(dataset->num_classes() == 20);
    for (int i = 0; i < 3; ++i) CHECK(check_sample(*dataset, Split::Train, i, i) == 19 - i);
  }
}

TEST_CASE("Data.Cifar.variant", "[plugin]") {
  TempDir dir;
  SECTION("a named variant whose files are missing") {
    write_cifar100(dir);
    require_open_error(*cifar(dir, {{"variant", "cifar10"}}), dir.file("data_batch_1.bin"),
                       "expected a CIFAR-10 binary file of records of 3073 bytes");
  }
  SECTION("both variants' files") {
    write_cifar10(dir);
    write_cifar100(dir);
    require_open_error(*cifar(dir), dir.path().string(), "set variant to cifar10 or cifar100");
    auto dataset = cifar(dir, {{"variant", "cifar100"}});
    dataset->open();
    CHECK(dataset->num_classes() == 100);
  }
  SECTION("neither") {
    write_bytes(dir.file("readme.txt"), "no data");
    require_open_error(*cifar(dir), dir.path().string(),
                       "neither CIFAR-10's data_batch_1.bin nor CIFAR-100's train.bin");
    CHECK_FALSE(cifar(dir)->peek());
  }
  SECTION("coarse labels of CIFAR-10") {
    write_cifar10(dir);
    require_open_error(*cifar(dir, {{"labels", "coarse"}}), dir.path().string(), "no coarse labels");
    CHECK_THROWS_AS(cifar(dir, {{"labels", "coarse"}, {"variant", "cifar10"}}), sslflow::OptionError);
  }
}

TEST_CASE("Data.Cifar.malformed", "[plugin]") {
  TempDir dir;
  write_cifar10(dir);
  SECTION("a missing batch") {
    std::filesystem::remove(dir.file("data_batch_3.bin"));
    require_open_error(*cifar(dir), dir.file("data_batch_3.bin"), "cannot be read");
    CHECK_FALSE(cifar(dir)->peek());
  }
  SECTION("a partial record") {
    write_bytes(dir.file("test_batch.bin"), pixels_of(0) + "\x01\x02");  // a record and 1 byte
    require_open_error(*cifar(dir), dir.file("test_batch.bin"),
                       "has 3074 bytes, expected a whole number of CIFAR-10 records of 3073 bytes");
  }
  SECTION("an empty file") {
    write_bytes(dir.file("data_batch_5.bin"), "");
    require_open_error(*cifar(dir), dir.file("data_batch_5.bin"), "has 0 bytes");
  }
  SECTION("a label out of range") {
    write_records(dir, "data_batch_2.bin", {{{3}, 0}, {{10}, 1}});
    require_open_error(*cifar(dir), dir.file("data_batch_2.bin"),
                       "has label 10 in record 1, expected a CIFAR-10 class below 10");
  }
  SECTION("CIFAR-100 records of CIFAR-10's size") {
    TempDir other;
    write_records(other, "train.bin", {{{0}, 0}, {{0}, 1}});  // 2 x 3073 bytes
    require_open_error(*cifar(other), other.file("train.bin"),
                       "has 6146 bytes, expected a whole number of CIFAR-100 records of 3074 bytes");
  }
  SECTION("a CIFAR-100 fine label out of range") {
    TempDir other;
    write_records(other, "train.bin", {{{0, 100}, 0}});
    write_records(other, "test.bin", {{{0, 0}, 1}});
    require_open_error(*cifar(other), other.file("train.bin"), "has label 100 in record 0");
  }
}
