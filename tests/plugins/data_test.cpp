#include <catch2/catch.hpp>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../sdk/io_test_support.hpp"
#include "sslflow/plugin_loader.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/dataset.hpp"
#include "sslflow/io/npy.hpp"

using Catch::Matchers::Contains;
using sslflow::Dataset;
using sslflow::FormatError;
using sslflow::Shape;
using sslflow::Split;
using sslflow::Tensor;
using sslflow::Value;
using sslflow::testing::TempDir;
using sslflow::testing::write_bytes;

namespace {

constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
constexpr int64_t kMaxClasses = 65536;  // the most classes dataset/npy documents

// The shipped data library, loaded once from the build tree's plugin directory.
const sslflow::Registry& data_registry() {
  static const sslflow::Registry registry = [] {
    sslflow::Registry r;
    std::ostringstream warnings;
    sslflow::PluginLoader(r, warnings)
        .load_library(std::filesystem::path(SSLFLOW_BUILD_PLUGIN_DIR) / "libsslflow_data.so");
    return r;
  }();
  return registry;
}

// A dataset built from `options`, not yet opened.
std::shared_ptr<Dataset> make_dataset(const std::string& name, Value::Map options = {}) {
  const sslflow::PluginInfo* info = data_registry().find(Dataset::kKind, name);
  REQUIRE(info != nullptr);
  auto params = sslflow::Params::resolve("dataset/" + name, info->schema, Value(std::move(options)));
  auto dataset = data_registry().create<Dataset>(name, params);
  REQUIRE(dataset);
  return dataset;
}

std::shared_ptr<Dataset> open_dataset(const std::string& name, Value::Map options = {}) {
  auto dataset = make_dataset(name, std::move(options));
  dataset->open();
  return dataset;
}

// Sample `index` of `split`, with its label.
struct Sample {
  std::vector<float> pixels;
  int64_t label;
};

Sample read_sample(const Dataset& dataset, Split split, int64_t index) {
  Sample sample{std::vector<float>(static_cast<size_t>(dataset.sample_shape().numel())), 0};
  sample.label = dataset.read(split, index, sample.pixels);
  return sample;
}

// Checks that open() throws a FormatError for `path` whose message contains `expected`.
void require_open_error(Dataset& dataset, const std::string& path, const std::string& expected) {
  sslflow::testing::require_format_error([&](const std::string&) { dataset.open(); }, path, expected);
}

// ---- IDX files ---------------------------------------------------------------------

std::string big_endian(uint32_t value) {
  return {char(value >> 24), char(value >> 16 & 0xff), char(value >> 8 & 0xff), char(value & 0xff)};
}

std::string idx_bytes(uint32_t magic, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
  std::string bytes = big_endian(magic);
  for (uint32_t d : dims) bytes += big_endian(d);
  return bytes + std::string(data.begin(), data.end());
}

void write_gzip(const std::string& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  CHECK(gzwrite(file, bytes.data(), unsigned(bytes.size())) == int(bytes.size()));
  REQUIRE(gzclose(file) == Z_OK);
}

// Tiny IDX splits: 3 training and 2 test images of 2 x 3 pixels, pixel j of image i
// holding 40 * i + j, labels 0, 2, 1 and 2, 0.
struct TinyIdx {
  std::vector<uint8_t> train_pixels, test_pixels;
  std::vector<uint8_t> train_labels{0, 2, 1}, test_labels{2, 0};

  TinyIdx() {
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 6; ++j) train_pixels.push_back(uint8_t(40 * i + j));
    test_pixels.assign(train_pixels.begin(), train_pixels.begin() + 12);
    train_pixels.back() = 255;
  }

  // Writes the four files into `dir`, gzipped or not; returns the training images' path.
  std::string write(const TempDir& dir, bool gzipped) const {
    const std::string suffix = gzipped ? ".gz" : "";
    auto put = [&](const std::string& name, const std::string& bytes) {
      const std::string path = dir.file(name + suffix);
      gzipped ? write_gzip(path, bytes) : write_bytes(path, bytes);
      return path;
    };
    put("train-labels-idx1-ubyte", idx_bytes(0x801, {3}, train_labels));
    put("t10k-images-idx3-ubyte", idx_bytes(0x803, {2, 2, 3}, test_pixels));
    put("t10k-labels-idx1-ubyte", idx_bytes(0x801, {2}, test_labels));
    return put("train-images-idx3-ubyte", idx_bytes(0x803, {3, 2, 3}, train_pixels));
  }
};

// ---- .npy files --------------------------------------------------------------------

// A v1.0 .npy file of unsigned bytes with `shape` (rank 2 or more), padded as NumPy's.
void write_u1_npy(const std::string& path, const std::vector<int64_t>& shape, const std::vector<uint8_t>& data) {
  std::string dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) dict += (i ? ", " : "") + std::to_string(shape[i]);
  dict += "), }";
  dict.append(63 - (10 + dict.size()) % 64, ' ').append("\n");
  const std::string length{char(dict.size() & 0xff), char(dict.size() >> 8)};
  write_bytes(path, std::string("\x93NUMPY\x01\x00", 8) + length + dict + std::string(data.begin(), data.end()));
}

// Floats 0, 0.01, 0.02, ... in `shape`.
Tensor ramp(Shape shape) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = 0.01f * float(i);
  return t;
}

// ---- nearest centroid --------------------------------------------------------------

// Accuracy on the test split of the classifier that assigns each image the class of the
// nearest mean training image (squared Euclidean distance on raw pixels).
double nearest_centroid_accuracy(const Dataset& dataset) {
  const auto numel = static_cast<size_t>(dataset.sample_shape().numel());
  const auto classes = static_cast<size_t>(dataset.num_classes());
  std::vector<double> centroids(classes * numel, 0.0);  // (K, D)
  std::vector<double> counts(classes, 0.0);
  for (int64_t i = 0; i < dataset.size(Split::Train); ++i) {
    const Sample s = read_sample(dataset, Split::Train, i);
    for (size_t j = 0; j < numel; ++j) centroids[size_t(s.label) * numel + j] += s.pixels[j];
    counts[size_t(s.label)] += 1.0;
  }
  for (size_t k = 0; k < classes; ++k)
    for (size_t j = 0; j < numel; ++j) centroids[k * numel + j] /= std::max(counts[k], 1.0);

  int64_t correct = 0;
  for (int64_t i = 0; i < dataset.size(Split::Test); ++i) {
    const Sample s = read_sample(dataset, Split::Test, i);
    size_t best = 0;
    double best_distance = 0.0;
    for (size_t k = 0; k < classes; ++k) {
      double distance = 0.0;
      for (size_t j = 0; j < numel; ++j) {
        const double d = s.pixels[j] - centroids[k * numel + j];
        distance += d * d;
      }
      if (k == 0 || distance < best_distance) best = k, best_distance = distance;
    }
    correct += int64_t(best) == s.label;
  }
  return double(correct) / double(dataset.size(Split::Test));
}

}  // namespace

TEST_CASE("Data.Plugin.registers_datasets", "[plugin]") {
  for (const char* name : {"idx", "npy", "synthetic"}) {
    INFO(name);
    const sslflow::PluginInfo* info = data_registry().find(Dataset::kKind, name);
    REQUIRE(info != nullptr);
    CHECK_FALSE(info->description.empty());
    for (const sslflow::Option& option : info->schema) CHECK_FALSE(option.doc().empty());
  }
  const sslflow::PluginInfo* idx = data_registry().find(Dataset::kKind, "idx");
  CHECK(sslflow::find_option(idx->schema, "path")->default_value() == Value(kFashionMnistDir));
  CHECK(sslflow::find_option(idx->schema, "num_classes")->default_value() == Value(10));
  // Construction touches no file: only open() finds the directory missing.
  CHECK_NOTHROW(make_dataset("idx", {{"path", "/nonexistent/sslflow-data"}}));
  CHECK_NOTHROW(make_dataset("npy", {{"train_images", "/nonexistent/x.npy"}}));
  CHECK_THROWS_AS(make_dataset("npy"), sslflow::OptionError);
  CHECK_THROWS_AS(make_dataset("synthetic", {{"noise", 2.0}}), sslflow::OptionError);
}

TEST_CASE("Data.Idx.fashion_mnist", "[plugin]") {
  auto dataset = make_dataset("idx");
  if (!std::filesystem::exists(kFashionMnistDir)) {
    WARN("Fashion-MNIST is not installed; checking the error that says how to install it");
    require_open_error(*dataset, kFashionMnistDir, "apt-get install dataset-fashion-mnist");
    return;
  }
  dataset->open();
  REQUIRE(dataset->size(Split::Train) == 60000);
  REQUIRE(dataset->size(Split::Test) == 10000);
  CHECK(dataset->sample_shape() == Shape{1, 28, 28});
  CHECK(dataset->num_classes() == 10);
  CHECK(read_sample(*dataset, Split::Train, 0).label == 9);  // an ankle boot

  // Fashion-MNIST is balanced: 6000 training and 1000 test images of each class.
  for (auto [split, per_class] : {std::pair{Split::Train, 6000}, std::pair{Split::Test, 1000}}) {
    std::array<int64_t, 10> counts{};
    float low = 1.0f, high = 0.0f;
    std::vector<float> pixels(28 * 28);
    for (int64_t i = 0; i < dataset->size(split); ++i) {
      const int64_t label = dataset->read(split, i, pixels);
      REQUIRE(label >= 0);
      REQUIRE(label < 10);
      ++counts[size_t(label)];
      const auto [lo, hi] = std::minmax_element(pixels.begin(), pixels.end());
      low = std::min(low, *lo);
      high = std::max(high, *hi);
    }
    for (int64_t count : counts) CHECK(count == per_class);
    CHECK(low == 0.0f);
    CHECK(high == 1.0f);
  }
}

TEST_CASE("Data.Idx.missing_files", "[plugin]") {
  TempDir dir;
  const std::string missing_dir = dir.file("absent");
  auto dataset = make_dataset("idx", {{"path", missing_dir}});
  try {
    dataset->open();
    FAIL("no error for a missing directory");
  } catch (const FormatError& e) {
    CHECK(e.path() == missing_dir);
    CHECK_THAT(e.what(), Contains("no such directory"));
    CHECK_THAT(e.what(), !Contains("apt-get"));  // the hint is for the default directory only
  }

  TinyIdx().write(dir, false);
  std::filesystem::remove(dir.file("t10k-labels-idx1-ubyte"));
  auto partial = make_dataset("idx", {{"path", dir.path().string()}});
  require_open_error(*partial, dir.file("t10k-labels-idx1-ubyte"), "no such file");
}

TEST_CASE("Data.Idx.tiny_files", "[plugin]") {
  const TinyIdx tiny;
  const bool gzipped = GENERATE(false, true);
  INFO((gzipped ? "gzipped" : "raw"));
  TempDir dir;
  tiny.write(dir, gzipped);
  auto dataset = open_dataset("idx", {{"path", dir.path().string()}, {"num_classes", 3}});

  REQUIRE(dataset->size(Split::Train) == 3);
  REQUIRE(dataset->size(Split::Test) == 2);
  CHECK(dataset->sample_shape() == Shape{1, 2, 3});
  CHECK(dataset->num_classes() == 3);
  for (int64_t i = 0; i < 3; ++i) {
    const Sample s = read_sample(*dataset, Split::Train, i);
    CHECK(s.label == tiny.train_labels[size_t(i)]);
    for (size_t j = 0; j < 6; ++j) CHECK(s.pixels[j] == float(tiny.train_pixels[size_t(i) * 6 + j]) / 255.0f);
  }
  CHECK(read_sample(*dataset, Split::Train, 2).pixels.back() == 1.0f);
  const Sample test = read_sample(*dataset, Split::Test, 1);
  CHECK(test.label == 0);
  CHECK(test.pixels[0] == 40.0f / 255.0f);

  std::vector<float> wrong_size(5);
  CHECK_THROWS_AS(dataset->read(Split::Train, 0, wrong_size), sslflow::ShapeError);
}

TEST_CASE("Data.Idx.concatenated_gzip_members", "[plugin]") {
  const TinyIdx tiny;
  TempDir dir;
  const std::string train_images = tiny.write(dir, true);
  const std::string whole = idx_bytes(0x803, {3, 2, 3}, tiny.train_pixels);
  const std::string first = dir.file("first.gz"), second = dir.file("second.gz");
  write_gzip(first, whole.substr(0, 10));
  write_gzip(second, whole.substr(10));
  std::ofstream out(train_images, std::ios::binary | std::ios::trunc);
  out << std::ifstream(first, std::ios::binary).rdbuf() << std::ifstream(second, std::ios::binary).rdbuf();
  out.close();
  auto dataset = open_dataset("idx", {{"path", dir.path().string()}, {"num_classes", 3}});
  const Sample last = read_sample(*dataset, Split::Train, 2);
  CHECK(last.pixels.back() == 1.0f);
  CHECK(last.pixels.front() == 80.0f / 255.0f);
}

TEST_CASE("Data.Idx.malformed", "[plugin]") {
  const TinyIdx tiny;
  TempDir dir;
  const std::string train_images = tiny.write(dir, false);
  const std::string train_labels = dir.file("train-labels-idx1-ubyte");
  const std::string test_images = dir.file("t10k-images-idx3-ubyte");
  auto dataset = make_dataset("idx", {{"path", dir.path().string()}, {"num_classes", 3}});

  SECTION("bad magic") {
    write_bytes(train_images, idx_bytes(0x801, {3, 2, 3}, tiny.train_pixels));
    require_open_error(*dataset, train_images, "magic number 0x00000801, expected 0x00000803");
  }
  SECTION("labels file given as images") {
    write_bytes(train_labels, idx_bytes(0x803, {3, 2, 3}, tiny.train_pixels));
    require_open_error(*dataset, train_labels, "expected 0x00000801");
  }
  SECTION("truncated data") {
    const std::vector<uint8_t> short_pixels(tiny.train_pixels.begin(), tiny.train_pixels.end() - 1);
    write_bytes(train_images, idx_bytes(0x803, {3, 2, 3}, short_pixels));
    require_open_error(*dataset, train_images,
                       "is truncated: dimensions 3 x 2 x 3 need 18 data bytes, the file has 17");
  }
  SECTION("truncated gzip") {
    const std::string gz_path = train_images + ".gz";
    write_gzip(gz_path, idx_bytes(0x803, {3, 2, 3}, tiny.train_pixels));
    std::filesystem::remove(train_images);
    std::filesystem::resize_file(gz_path, std::filesystem::file_size(gz_path) - 12);
    require_open_error(*dataset, gz_path, "truncated");
  }
  SECTION("garbage after the gzip data") {
    const std::string gz_path = train_images + ".gz";
    write_gzip(gz_path, idx_bytes(0x803, {3, 2, 3}, tiny.train_pixels));
    std::filesystem::remove(train_images);
    const auto gz_size = std::filesystem::file_size(gz_path);
    std::ofstream(gz_path, std::ios::app | std::ios::binary) << "not gzip";
    require_open_error(*dataset, gz_path,
                       "has 8 bytes after its gzip data (from byte " + std::to_string(gz_size) +
                           ") that are not another gzip member");
  }
  SECTION("corrupt gzip data") {
    const std::string gz_path = train_images + ".gz";
    write_gzip(gz_path, idx_bytes(0x803, {3, 2, 3}, tiny.train_pixels));
    std::filesystem::remove(train_images);
    std::fstream gz(gz_path, std::ios::in | std::ios::out | std::ios::binary);
    gz.seekp(3);  // the FLG byte: reserved bits set
    gz.put(static_cast<char>(0xe0));
    gz.close();
    require_open_error(*dataset, gz_path, "cannot be decompressed (zlib: unknown header flags set)");
  }
  SECTION("dimensions beyond the machine's memory") {
    write_bytes(train_images, idx_bytes(0x803, {1000000, 1000, 1000}, tiny.train_pixels));
    require_open_error(*dataset, train_images, "has dimensions 1000000 x 1000 x 1000 that need 931.3 GiB, more than the");
  }
  SECTION("truncated header") {
    write_bytes(train_images, big_endian(0x803) + big_endian(3));
    require_open_error(*dataset, train_images, "inside its IDX header");
  }
  SECTION("trailing data") {
    std::vector<uint8_t> long_pixels = tiny.train_pixels;
    long_pixels.push_back(7);
    write_bytes(train_images, idx_bytes(0x803, {3, 2, 3}, long_pixels));
    require_open_error(*dataset, train_images, "more data than its dimensions");
  }
  SECTION("count mismatch") {
    write_bytes(train_labels, idx_bytes(0x801, {2}, {0, 1}));
    require_open_error(*dataset, train_labels, "has 2 labels for the 3 images");
  }
  SECTION("label out of range") {
    write_bytes(train_labels, idx_bytes(0x801, {3}, {0, 3, 1}));
    require_open_error(*dataset, train_labels, "label 3 at index 1, outside [0, 3)");
  }
  SECTION("test images of another size") {
    write_bytes(test_images, idx_bytes(0x803, {2, 3, 2}, tiny.test_pixels));
    require_open_error(*dataset, test_images, "3 x 2 pixels, the training images 2 x 3");
  }
}

TEST_CASE("Data.Npy.round_trip", "[plugin]") {
  TempDir dir;
  SECTION("float32 (N, H, W) with int64 labels") {
    const Tensor train = ramp(Shape{4, 2, 3}), test = ramp(Shape{2, 2, 3});
    sslflow::io::write_npy(dir.file("train.npy"), train);
    sslflow::io::write_npy(dir.file("train_labels.npy"), std::vector<int64_t>{3, 0, 1, 3});
    sslflow::io::write_npy(dir.file("test.npy"), test);
    sslflow::io::write_npy(dir.file("test_labels.npy"), std::vector<int64_t>{4, 2});
    auto dataset = open_dataset("npy", {{"train_images", dir.file("train.npy")},
                                        {"train_labels", dir.file("train_labels.npy")},
                                        {"test_images", dir.file("test.npy")},
                                        {"test_labels", dir.file("test_labels.npy")}});
    REQUIRE(dataset->size(Split::Train) == 4);
    REQUIRE(dataset->size(Split::Test) == 2);
    CHECK(dataset->sample_shape() == Shape{1, 2, 3});
    CHECK(dataset->num_classes() == 5);
    const Sample third = read_sample(*dataset, Split::Train, 2);
    CHECK(third.label == 1);
    CHECK(third.pixels == std::vector<float>(train.data() + 12, train.data() + 18));
    CHECK(read_sample(*dataset, Split::Test, 0).label == 4);
  }
  SECTION("uint8 (N, C, H, W) without labels or test split") {
    std::vector<uint8_t> bytes(2 * 3 * 2 * 2);
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(i * 11);
    write_u1_npy(dir.file("train.npy"), {2, 3, 2, 2}, bytes);
    auto dataset = open_dataset("npy", {{"train_images", dir.file("train.npy")}});
    REQUIRE(dataset->size(Split::Train) == 2);
    CHECK(dataset->size(Split::Test) == 0);
    CHECK(dataset->sample_shape() == Shape{3, 2, 2});
    CHECK(dataset->num_classes() == 0);
    const Sample second = read_sample(*dataset, Split::Train, 1);
    CHECK(second.label == -1);
    CHECK(second.pixels[0] == float(12 * 11) / 255.0f);
    CHECK(second.pixels[11] == float(23 * 11) / 255.0f);
  }
}

TEST_CASE("Data.Npy.malformed", "[plugin]") {
  TempDir dir;
  const std::string train = dir.file("train.npy"), labels = dir.file("labels.npy"), test = dir.file("test.npy");
  sslflow::io::write_npy(train, ramp(Shape{4, 2, 3}));
  sslflow::io::write_npy(labels, std::vector<int64_t>{0, 1, 2, 3});
  sslflow::io::write_npy(test, ramp(Shape{2, 2, 3}));
  Value::Map options{{"train_images", train}, {"train_labels", labels}, {"test_images", test}};

  SECTION("labels of another length") {
    sslflow::io::write_npy(labels, std::vector<int64_t>{0, 1, 2});
    require_open_error(*make_dataset("npy", options), labels, "has shape (3,), expected (4,)");
  }
  SECTION("negative label") {
    sslflow::io::write_npy(labels, std::vector<int64_t>{0, -1, 2, 3});
    require_open_error(*make_dataset("npy", options), labels, "label -1 at index 1");
  }
  SECTION("labels far beyond the number of samples") {
    for (int64_t huge : {int64_t{1000000}, int64_t{1} << 40, INT64_MAX}) {
      INFO(huge);
      sslflow::io::write_npy(labels, std::vector<int64_t>{0, 1, huge, 3});
      require_open_error(*make_dataset("npy", options), labels,
                         "has label " + std::to_string(huge) + " at index 2, outside [0, 4)");
    }
  }
  SECTION("a label equal to the number of labelled samples") {
    sslflow::io::write_npy(labels, std::vector<int64_t>{0, 1, 4, 3});
    require_open_error(*make_dataset("npy", options), labels,
                       "label 4 at index 2, outside [0, 4): labels number the classes from 0");
  }
  SECTION("test labels count the labelled samples of both splits") {
    const std::string test_labels = dir.file("test_labels.npy");
    options.emplace_back("test_labels", test_labels);
    sslflow::io::write_npy(test_labels, std::vector<int64_t>{5, 0});
    CHECK(open_dataset("npy", options)->num_classes() == 6);
    sslflow::io::write_npy(test_labels, std::vector<int64_t>{0, 6});
    require_open_error(*make_dataset("npy", options), test_labels, "label 6 at index 1, outside [0, 6)");
  }
  SECTION("more classes than sslflow reads") {
    const int64_t count = kMaxClasses + 10;
    write_u1_npy(train, {count, 1, 1}, std::vector<uint8_t>(size_t(count)));
    std::vector<int64_t> many(size_t(count), 0);
    many[7] = kMaxClasses;
    sslflow::io::write_npy(labels, many);
    require_open_error(*make_dataset("npy", {{"train_images", train}, {"train_labels", labels}}), labels,
                       "label 65536 at index 7, outside [0, 65536): sslflow reads at most 65536 classes");
    many[7] = kMaxClasses - 1;
    sslflow::io::write_npy(labels, many);
    CHECK(open_dataset("npy", {{"train_images", train}, {"train_labels", labels}})->num_classes() == 65536);
  }
  SECTION("no images") {
    sslflow::io::write_npy(train, Tensor(Shape{0, 2, 3}));
    require_open_error(*make_dataset("npy", {{"train_images", train}}), train, "has shape (0, 2, 3), with no images");
  }
  SECTION("float labels") {
    sslflow::io::write_npy(labels, ramp(Shape{4}));
    require_open_error(*make_dataset("npy", options), labels, "expected labels as int64, int32 or uint8");
  }
  SECTION("test images of another shape") {
    sslflow::io::write_npy(test, ramp(Shape{2, 3, 2}));
    require_open_error(*make_dataset("npy", options), test, "shape [1, 3, 2], the training images [1, 2, 3]");
  }
  SECTION("images of rank 2") {
    sslflow::io::write_npy(train, ramp(Shape{4, 6}));
    require_open_error(*make_dataset("npy", options), train, "expected images (N, H, W) or (N, C, H, W)");
  }
  SECTION("float images outside [0, 1]") {
    Tensor values = ramp(Shape{4, 2, 3});
    values.data()[7] = 1.5f;
    sslflow::io::write_npy(train, values);
    require_open_error(*make_dataset("npy", options), train, "at element 7");
  }
  SECTION("missing file") {
    std::filesystem::remove(test);
    require_open_error(*make_dataset("npy", options), test, "");
  }
  SECTION("test labels without test images") {
    CHECK_THROWS_AS(make_dataset("npy", {{"train_images", train}, {"test_labels", labels}}), sslflow::OptionError);
  }
}

TEST_CASE("Data.Npy.channels_last", "[plugin]") {
  TempDir dir;
  const std::string train = dir.file("train.npy");
  const std::vector<int64_t> nhwc{2, 4, 5, 3};
  std::vector<uint8_t> bytes(2 * 4 * 5 * 3);  // (N, H, W, C)
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(i * 7 % 256);
  write_u1_npy(train, nhwc, bytes);
  auto stored = [&](size_t n, size_t y, size_t x, size_t c) { return float(bytes[((n * 4 + y) * 5 + x) * 3 + c]) / 255.0f; };

  SECTION("refused unless the layout is set") {
    require_open_error(*make_dataset("npy", {{"train_images", train}}), train,
                       "has shape (2, 4, 5, 3), which looks like (N, H, W, C) with C = 3");
    require_open_error(*make_dataset("npy", {{"train_images", train}}), train,
                       "np.save('" + train + "', np.load('" + train + "').transpose(0, 3, 1, 2))");
    write_u1_npy(train, {2, 28, 28, 1}, std::vector<uint8_t>(2 * 28 * 28));
    require_open_error(*make_dataset("npy", {{"train_images", train}}), train, "set layout: nhwc");
  }
  SECTION("peek reads the shape from the header, in either layout, and nothing from a refused one") {
    const auto peeked = make_dataset("npy", {{"train_images", train}, {"layout", "nhwc"}})->peek();
    REQUIRE(peeked);
    CHECK(peeked->train_size == 2);
    CHECK(peeked->sample_shape == Shape{3, 4, 5});
    CHECK(make_dataset("npy", {{"train_images", train}, {"layout", "nchw"}})->peek()->sample_shape == Shape{4, 5, 3});
    CHECK_FALSE(make_dataset("npy", {{"train_images", train}})->peek());
    CHECK_FALSE(make_dataset("npy", {{"train_images", dir.file("missing.npy")}})->peek());
  }
  SECTION("nhwc converts to (N, C, H, W)") {
    auto dataset = open_dataset("npy", {{"train_images", train}, {"layout", "nhwc"}});
    REQUIRE(dataset->sample_shape() == Shape{3, 4, 5});
    for (size_t n = 0; n < 2; ++n) {
      const Sample s = read_sample(*dataset, Split::Train, int64_t(n));
      for (size_t c = 0; c < 3; ++c)
        for (size_t y = 0; y < 4; ++y)
          for (size_t x = 0; x < 5; ++x) CHECK(s.pixels[(c * 4 + y) * 5 + x] == stored(n, y, x, c));
    }
  }
  SECTION("nhwc converts float32 images and the test split") {
    Tensor floats(Shape{2, 4, 5, 3});
    for (int64_t i = 0; i < floats.numel(); ++i) floats.data()[i] = float(i) / 128.0f;
    sslflow::io::write_npy(train, floats);
    sslflow::io::write_npy(dir.file("test.npy"), floats);
    auto dataset = open_dataset("npy", {{"train_images", train}, {"test_images", dir.file("test.npy")}, {"layout", "nhwc"}});
    REQUIRE(dataset->sample_shape() == Shape{3, 4, 5});
    // Pixel (n=1, c=2, y=3, x=4) is element ((1 * 4 + 3) * 5 + 4) * 3 + 2 of the file.
    CHECK(read_sample(*dataset, Split::Train, 1).pixels.back() == floats.data()[(7 * 5 + 4) * 3 + 2]);
    // Pixel (n=1, c=0, y=1, x=0) is element ((1 * 4 + 1) * 5 + 0) * 3 + 0.
    CHECK(read_sample(*dataset, Split::Test, 1).pixels[5] == floats.data()[(5 * 5 + 0) * 3 + 0]);
  }
  SECTION("nchw reads the array as it is") {
    auto dataset = open_dataset("npy", {{"train_images", train}, {"layout", "nchw"}});
    REQUIRE(dataset->sample_shape() == Shape{4, 5, 3});
    CHECK(read_sample(*dataset, Split::Train, 1).pixels[4] == float(bytes[60 + 4]) / 255.0f);
  }
  SECTION("channels first with a small last dimension is not suspect") {
    write_u1_npy(train, {2, 3, 4, 4}, std::vector<uint8_t>(2 * 3 * 4 * 4));
    CHECK(open_dataset("npy", {{"train_images", train}})->sample_shape() == Shape{3, 4, 4});
  }
  SECTION("an unknown layout") {
    CHECK_THROWS_AS(make_dataset("npy", {{"train_images", train}, {"layout", "chwn"}}), sslflow::Error);
  }
}

TEST_CASE("Data.Synthetic.deterministic", "[plugin]") {
  const Value::Map options{{"train_size", 64}, {"test_size", 16}, {"image_size", 16}, {"channels", 3}, {"seed", 7}};
  auto a = open_dataset("synthetic", options);
  auto b = open_dataset("synthetic", options);
  REQUIRE(a->size(Split::Train) == 64);
  REQUIRE(a->size(Split::Test) == 16);
  CHECK(a->sample_shape() == Shape{3, 16, 16});
  CHECK(a->num_classes() == 10);

  for (int64_t i = 0; i < 64; ++i) {
    const Sample s = read_sample(*a, Split::Train, i);
    const Sample t = read_sample(*b, Split::Train, i);
    CHECK(s.pixels == t.pixels);
    CHECK(s.label == t.label);
    CHECK(s.label >= 0);
    CHECK(s.label < 10);
    CHECK(*std::min_element(s.pixels.begin(), s.pixels.end()) >= 0.0f);
    CHECK(*std::max_element(s.pixels.begin(), s.pixels.end()) <= 1.0f);
  }
  // Sample i depends on (seed, split, i) only: not on the split's size.
  Value::Map larger = options;
  larger[0].second = Value(200);
  CHECK(read_sample(*open_dataset("synthetic", larger), Split::Train, 5).pixels ==
        read_sample(*a, Split::Train, 5).pixels);
  CHECK(read_sample(*a, Split::Test, 5).pixels != read_sample(*a, Split::Train, 5).pixels);
  Value::Map reseeded = options;
  reseeded[4].second = Value(8);
  CHECK(read_sample(*open_dataset("synthetic", reseeded), Split::Train, 5).pixels !=
        read_sample(*a, Split::Train, 5).pixels);
}

TEST_CASE("Data.Synthetic.images_beyond_memory_are_refused", "[plugin]") {
  CHECK_THROWS_WITH(make_dataset("synthetic", {{"train_size", 10000000}, {"image_size", 512}, {"channels", 16}}),
                    Contains("10000512 images of 16 x 512 x 512 floats need 156258.0 GiB, more than the") &&
                        Contains("GiB of memory this machine has"));
}

TEST_CASE("Data.Synthetic.concurrent_reads", "[plugin]") {
  auto dataset = open_dataset("synthetic", {{"train_size", 256}, {"test_size", 1}});
  const auto numel = static_cast<size_t>(dataset->sample_shape().numel());
  std::vector<float> serial(256 * numel), parallel(256 * numel);
  for (int64_t i = 0; i < 256; ++i)
    dataset->read(Split::Train, i, std::span<float>(serial).subspan(size_t(i) * numel, numel));
  std::vector<std::thread> threads;
  for (int64_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int64_t i = t; i < 256; i += 4)
        dataset->read(Split::Train, i, std::span<float>(parallel).subspan(size_t(i) * numel, numel));
    });
  for (std::thread& thread : threads) thread.join();
  CHECK(parallel == serial);
}

TEST_CASE("Data.Synthetic.learnable_not_trivial", "[plugin]") {
  // Nearest centroid on raw pixels: far above chance (0.1), yet short of perfect.
  const double accuracy = nearest_centroid_accuracy(*open_dataset("synthetic"));
  INFO("nearest-centroid accuracy " << accuracy);
  CHECK(accuracy > 0.5);
  CHECK(accuracy < 0.98);
  // Not one lucky seed.
  CHECK(nearest_centroid_accuracy(*open_dataset("synthetic", {{"seed", 1}})) > 0.5);
}
