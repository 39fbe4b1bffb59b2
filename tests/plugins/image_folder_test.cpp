#include <zlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../sdk/io_test_support.hpp"
#include "builtin_registry.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/dataset.hpp"
#include "sslflow/io/safetensors.hpp"
#include "sslflow/stop.hpp"

using Catch::Matchers::Contains;
using sslflow::Dataset;
using sslflow::FormatError;
using sslflow::Shape;
using sslflow::Split;
using sslflow::Value;
using sslflow::testing::read_bytes;
using sslflow::testing::TempDir;
using sslflow::testing::write_bytes;
namespace fs = std::filesystem;

namespace {

// Written by tests/plugins/make_image_folder_golden.py.
const std::string kGoldenDir = std::string(SSLFLOW_SOURCE_DIR) + "/tests/plugins/data/";
constexpr int64_t kGoldenPngClasses = 4;  // a_rgb .. d_rgba; then three JPEG classes

std::shared_ptr<Dataset> image_folder(const std::string& path, Value::Map options = {}) {
  options.emplace_back("path", path);
  return sslflow::testing::make_builtin<Dataset>("image_folder", Value(std::move(options)));
}

std::shared_ptr<Dataset> open_folder(const std::string& path, Value::Map options = {}) {
  auto dataset = image_folder(path, std::move(options));
  dataset->open();
  return dataset;
}

// Sample `index` of `split` as byte values 0..255 (read() * 255, rounded), with its label.
struct Sample {
  std::vector<int> levels;
  int64_t label;
};

Sample read_sample(const Dataset& dataset, Split split, int64_t index) {
  std::vector<float> out(static_cast<size_t>(dataset.sample_shape().numel()));
  Sample sample{{}, dataset.read(split, index, out)};
  for (float v : out) sample.levels.push_back(int(std::lround(v * 255.0f)));
  return sample;
}

// ---- writing images ----------------------------------------------------------------

std::string big_endian(uint32_t value) {
  return {char(value >> 24), char(value >> 16 & 0xff), char(value >> 8 & 0xff), char(value & 0xff)};
}

std::string png_chunk(const std::string& type, const std::string& data) {
  const std::string body = type + data;
  const auto crc = uint32_t(crc32(0, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size())));
  return big_endian(uint32_t(data.size())) + body + big_endian(crc);
}

// An 8-bit RGB PNG of `width` x `height` pixels, every byte of pixel (x, y) channel c
// being value + x + 2 y + 3 c (mod 256). Written here with zlib, so the tests need no
// image library of their own.
std::string png_bytes(int width, int height, int value) {
  std::string rows;
  for (int y = 0; y < height; ++y) {
    rows += '\0';  // filter type None
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c) rows += char((value + x + 2 * y + 3 * c) % 256);
  }
  uLongf length = compressBound(uLong(rows.size()));
  std::string compressed(length, '\0');
  REQUIRE(compress(reinterpret_cast<Bytef*>(compressed.data()), &length, reinterpret_cast<const Bytef*>(rows.data()),
                   uLong(rows.size())) == Z_OK);
  compressed.resize(length);
  const std::string header =
      big_endian(uint32_t(width)) + big_endian(uint32_t(height)) + std::string("\x08\x02\0\0\0", 5);
  return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", header) + png_chunk("IDAT", compressed) +
         png_chunk("IEND", "");
}

// Writes `bytes` to `dir`/`relative`, making its folders.
std::string put(const TempDir& dir, const std::string& relative, const std::string& bytes) {
  const fs::path path = dir.path() / relative;
  fs::create_directories(path.parent_path());
  write_bytes(path.string(), bytes);
  return path.string();
}

std::string put_png(const TempDir& dir, const std::string& relative, int value, int width = 4, int height = 3) {
  return put(dir, relative, png_bytes(width, height, value));
}

std::string golden_jpeg() { return read_bytes(kGoldenDir + "image_folder/e_jpeg/color.jpg"); }

// The first pixel value of every sample of `split`, which the tests' PNGs set per file.
std::vector<int> first_levels(const Dataset& dataset, Split split) {
  std::vector<int> levels;
  for (int64_t i = 0; i < dataset.size(split); ++i) levels.push_back(read_sample(dataset, split, i).levels[0]);
  return levels;
}

// ---- golden pixels -----------------------------------------------------------------

// Tensor `name` of tests/plugins/data/image_folder.safetensors.
sslflow::Tensor golden(const std::string& name) {
  static const sslflow::io::SafetensorsFile file =
      sslflow::io::read_safetensors(kGoldenDir + "image_folder.safetensors");
  for (const auto& [key, tensor] : file.tensors)
    if (key == name) return tensor;
  FAIL("no tensor '" << name << "' in image_folder.safetensors");
  return {};
}

// Checks every sample of `dataset`'s training split against golden `pixels` (N, C, H, W):
// the first `exact` samples (PNG, lossless, and the resize is PIL's own fixed-point
// arithmetic) must match exactly, the others (JPEG) within `jpeg_tolerance` levels. On
// Debian 12 both PIL and sslflow decode JPEG with libjpeg-turbo 2.1.5 (accurate integer
// IDCT, fancy upsampling), whose SIMD paths are bit-exact with its C code, and the
// difference measured is 0; 1 level allows a Pillow built on another libjpeg.
void check_golden(const Dataset& dataset, const sslflow::Tensor& pixels, int64_t exact, int jpeg_tolerance) {
  REQUIRE(dataset.size(Split::Train) == pixels.shape()[0]);
  REQUIRE(dataset.sample_shape() == Shape{pixels.shape()[1], pixels.shape()[2], pixels.shape()[3]});
  const int64_t numel = dataset.sample_shape().numel();
  for (int64_t i = 0; i < pixels.shape()[0]; ++i) {
    const Sample sample = read_sample(dataset, Split::Train, i);
    int worst = 0;
    for (int64_t j = 0; j < numel; ++j)
      worst = std::max(worst, std::abs(sample.levels[j] - int(pixels.data()[i * numel + j])));
    INFO("sample " << i << ": largest difference " << worst << " levels");
    CHECK(worst <= (i < exact ? 0 : jpeg_tolerance));
  }
}

// Sets the process's stop request for its lifetime.
struct StopRequest {
  StopRequest() { sslflow::stop_request() = true; }
  ~StopRequest() { sslflow::stop_request() = false; }
};

// Collects what is written to std::cerr for its lifetime.
struct CapturedStderr {
  std::ostringstream text;
  std::streambuf* saved = std::cerr.rdbuf(text.rdbuf());
  ~CapturedStderr() { std::cerr.rdbuf(saved); }
};

void require_open_error(Dataset& dataset, const std::string& path, const std::string& expected) {
  sslflow::testing::require_format_error([&](const std::string&) { dataset.open(); }, path, expected);
}

}  // namespace

// ---- decoding ------------------------------------------------------------------------

TEST_CASE("Data.ImageFolder.golden_decode", "[plugin][golden]") {
  const std::string path = kGoldenDir + "image_folder";
  struct Case {
    const char* name;
    Value::Map options;
  };
  const std::vector<Case> cases = {
      {"native_rgb", {}},
      {"native_gray", {{"channels", 1}}},
      {"size10_rgb", {{"size", 10}}},
      {"size20_rgb", {{"size", 20}}},
      {"size10_gray", {{"size", 10}, {"channels", 1}}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      auto dataset = open_folder(path, c.options);
      check_golden(*dataset, golden(std::string(c.name) + ".pixels"), kGoldenPngClasses, 1);
      CHECK(dataset->num_classes() == 7);
      const sslflow::Tensor labels = golden("labels");
      for (int64_t i = 0; i < 7; ++i) CHECK(read_sample(*dataset, Split::Train, i).label == int64_t(labels.data()[i]));
      CHECK(dataset->size(Split::Test) == 0);
    }
  }
}

TEST_CASE("Data.ImageFolder.exif_orientations", "[plugin][golden]") {
  // orientation_1.jpg .. orientation_8.jpg, the same JPEG but for the orientation value.
  auto dataset = open_folder(kGoldenDir + "image_folder_exif", {{"size", 16}});
  check_golden(*dataset, golden("exif_size16.pixels"), 0, 1);
  CHECK(dataset->num_classes() == 0);
  // Orientations 5..8 swap the axes: their crops must differ from 1's, so the test could fail.
  CHECK(read_sample(*dataset, Split::Train, 5).levels != read_sample(*dataset, Split::Train, 0).levels);
}

TEST_CASE("Data.ImageFolder.peek", "[plugin]") {
  const std::string path = kGoldenDir + "image_folder";
  auto stored = image_folder(path)->peek();
  REQUIRE(stored);
  CHECK(stored->train_size == 7);
  CHECK(stored->sample_shape == Shape{3, 16, 24});  // the first image's header
  auto resized = image_folder(path, {{"size", 10}, {"channels", 1}, {"test_ratio", 0.3}})->peek();
  REQUIRE(resized);
  CHECK(resized->train_size == 5);  // 7 - round(2.1)
  CHECK(resized->sample_shape == Shape{1, 10, 10});
  CHECK_FALSE(image_folder(path + "/no-such-folder")->peek());
}

// ---- layout and labels ---------------------------------------------------------------

TEST_CASE("Data.ImageFolder.class_order", "[plugin]") {
  TempDir dir;
  // Created in this order; sorted by bytes they are 10, 9, B, a, b.
  const std::vector<std::string> classes = {"b", "a", "B", "10", "9"};
  for (size_t k = 0; k < classes.size(); ++k) put_png(dir, classes[k] + "/img.png", int(10 * k));
  put_png(dir, "a/sub/deeper.png", 200);  // below a's own files
  put_png(dir, "a/Zeta.PNG", 150);        // upper-case extension; 'Z' sorts before 'i'
  put(dir, "a/notes.txt", "not an image");

  auto dataset = open_folder(dir.path().string());
  CHECK(dataset->num_classes() == 5);
  // (label, first pixel) of each sample in order: classes sorted, a's files before its sub-folder's.
  std::vector<std::pair<int64_t, int>> seen;
  for (int64_t i = 0; i < dataset->size(Split::Train); ++i) {
    const Sample s = read_sample(*dataset, Split::Train, i);
    seen.emplace_back(s.label, s.levels[0]);
  }
  const std::vector<std::pair<int64_t, int>> expected = {{0, 30}, {1, 40},  {2, 20}, {3, 150},
                                                         {3, 10}, {3, 200}, {4, 0}};
  CHECK(seen == expected);
}

TEST_CASE("Data.ImageFolder.train_and_test_folders", "[plugin]") {
  TempDir dir;
  const std::string test_name = GENERATE(std::string("test"), std::string("val"));
  put_png(dir, "train/cat/1.png", 1);
  put_png(dir, "train/cat/2.png", 2);
  put_png(dir, "train/dog/1.jpg", 3);  // a PNG named .jpg: the first bytes decide
  put_png(dir, test_name + "/cat/x.png", 4);
  put_png(dir, test_name + "/dog/y.png", 5);
  auto dataset = open_folder(dir.path().string());
  CHECK(dataset->num_classes() == 2);
  CHECK(first_levels(*dataset, Split::Train) == std::vector<int>{1, 2, 3});
  CHECK(first_levels(*dataset, Split::Test) == std::vector<int>{4, 5});
  CHECK(read_sample(*dataset, Split::Test, 1).label == 1);
}

TEST_CASE("Data.ImageFolder.unlabelled", "[plugin]") {
  TempDir dir;
  for (int i = 0; i < 3; ++i) put_png(dir, "img" + std::to_string(i) + ".png", 50 * i);
  auto dataset = open_folder(dir.path().string());
  CHECK(dataset->num_classes() == 0);
  CHECK(dataset->size(Split::Train) == 3);
  for (int64_t i = 0; i < 3; ++i) CHECK(read_sample(*dataset, Split::Train, i).label == -1);
  CHECK(first_levels(*dataset, Split::Train) == std::vector<int>{0, 50, 100});
}

TEST_CASE("Data.ImageFolder.split_by_ratio", "[plugin]") {
  TempDir dir;
  for (int i = 0; i < 20; ++i) put_png(dir, (i % 2 ? "odd/" : "even/") + std::to_string(100 + i) + ".png", 10 * i);
  auto split = [&](int seed) {
    auto dataset = open_folder(dir.path().string(), {{"test_ratio", 0.25}, {"seed", seed}});
    REQUIRE(dataset->size(Split::Train) == 15);
    REQUIRE(dataset->size(Split::Test) == 5);
    return std::make_pair(first_levels(*dataset, Split::Train), first_levels(*dataset, Split::Test));
  };
  const auto [train, test] = split(3);
  CHECK(split(3) == std::make_pair(train, test));  // the same seed, the same split
  CHECK(split(4).second != test);                  // another seed, another draw

  std::set<int> all(train.begin(), train.end());
  all.insert(test.begin(), test.end());
  CHECK(all.size() == 20);      // disjoint, and nothing lost
  std::vector<int> even_class;  // values 0, 20, 40, ...: the first class, listed in file order
  std::copy_if(train.begin(), train.end(), std::back_inserter(even_class), [](int v) { return v % 20 == 0; });
  CHECK(std::is_sorted(even_class.begin(), even_class.end()));  // each side keeps listing order
  CHECK(even_class.size() < train.size());
}

// ---- errors ------------------------------------------------------------------------

TEST_CASE("Data.ImageFolder.layout_errors", "[plugin]") {
  TempDir dir;
  const std::string root = dir.path().string();
  SECTION("no such directory") {
    require_open_error(*image_folder(root + "/missing"), root + "/missing", "no such directory");
  }
  SECTION("no images") {
    put(dir, "readme.txt", "text");
    require_open_error(*image_folder(root), root, "has no images (.png, .jpg, .jpeg) and no class folders");
  }
  SECTION("an empty class folder") {
    put_png(dir, "cat/1.png", 1);
    fs::create_directories(dir.path() / "dog");
    require_open_error(*image_folder(root), (dir.path() / "dog").string(), "is a class folder without images");
  }
  SECTION("images beside class folders") {
    put_png(dir, "cat/1.png", 1);
    put_png(dir, "stray.png", 2);
    require_open_error(*image_folder(root), root,
                       "has both class folders (cat) and images directly inside (stray.png)");
  }
  SECTION("test classes differ from train's") {
    put_png(dir, "train/cat/1.png", 1);
    put_png(dir, "train/dog/1.png", 1);
    put_png(dir, "test/cat/1.png", 1);
    put_png(dir, "test/cow/1.png", 1);
    require_open_error(*image_folder(root), (dir.path() / "test").string(),
                       "has classes other than the training folder " + (dir.path() / "train").string() +
                           ": missing here: dog; only here: cow");
  }
  SECTION("both test and val") {
    put_png(dir, "train/cat/1.png", 1);
    put_png(dir, "test/cat/1.png", 1);
    put_png(dir, "val/cat/1.png", 1);
    require_open_error(*image_folder(root), root, "has both a test and a val folder");
  }
  SECTION("test_ratio beside a test folder") {
    put_png(dir, "train/cat/1.png", 1);
    put_png(dir, "test/cat/1.png", 1);
    CHECK_THROWS_AS(open_folder(root, {{"test_ratio", 0.5}}), sslflow::OptionError);
  }
  SECTION("a ratio that leaves no training image") {
    put_png(dir, "1.png", 1);
    CHECK_THROWS_WITH(open_folder(root, {{"test_ratio", 0.5}}), Contains("leaves no training image"));
  }
  SECTION("two channels") { CHECK_THROWS_AS(image_folder(root, {{"channels", 2}}), sslflow::OptionError); }
}

TEST_CASE("Data.ImageFolder.file_errors", "[plugin]") {
  TempDir dir;
  const std::string root = dir.path().string();
  put_png(dir, "good.png", 7);
  const std::string png = png_bytes(4, 3, 9), jpeg = golden_jpeg();
  struct BadFile {
    const char* name;
    std::string bytes;
    const char* message;
  };
  std::string bad_crc = png;
  bad_crc[45] = char(bad_crc[45] ^ 0x55);  // inside IDAT's data: its CRC no longer matches
  const std::vector<BadFile> files = {
      {"empty.png", "", "is empty"},
      {"text.png", "hello, not an image", "is neither a PNG nor a JPEG file"},
      {"bitmap.bmp", "BM\x3a\0\0\0", "is neither a PNG nor a JPEG file"},
      {"truncated.png", png.substr(0, png.size() - 30), "is not a readable PNG"},
      {"crc.png", bad_crc, "is not a readable PNG"},
      {"truncated.jpg", jpeg.substr(0, jpeg.size() / 2), "is not a readable JPEG"},
      {"header_only.jpg", jpeg.substr(0, 20), "is not a readable JPEG"},
  };
  for (const BadFile& file : files) {
    DYNAMIC_SECTION(file.name) {
      const std::string path = put(dir, file.name, file.bytes);
      require_open_error(*image_folder(root), path, file.message);
    }
  }
  SECTION("images of different sizes") {
    const std::string wide = put_png(dir, "wide.png", 1, 5, 3);
    require_open_error(*image_folder(root), wide,
                       "is 5 x 3 pixels, while " + (dir.path() / "good.png").string() + " is 4 x 3");
    CHECK(open_folder(root, {{"size", 3}})->size(Split::Train) == 2);  // resized to one size, both fit
  }
}

TEST_CASE("Data.ImageFolder.corrupt_files_never_crash", "[plugin]") {
  // Every prefix of a PNG and a JPEG, and copies with one early byte changed: each must
  // decode or be refused with a FormatError, never crash or throw anything else.
  TempDir dir;
  const std::string root = dir.path().string();
  const std::string jpeg = read_bytes(kGoldenDir + "image_folder_exif/orientation_6.jpg");
  int rejected = 0;
  for (const auto& [name, original] : {std::make_pair("x.png", png_bytes(4, 3, 1)), std::make_pair("x.jpg", jpeg)}) {
    std::vector<std::string> variants;
    for (size_t length = 1; length < original.size(); length += 3) variants.push_back(original.substr(0, length));
    for (size_t i = 0; i < std::min<size_t>(200, original.size()); ++i) {
      std::string changed = original;
      changed[i] = char(changed[i] ^ 0xff);
      variants.push_back(changed);
    }
    for (const std::string& bytes : variants) {
      put(dir, name, bytes);
      try {
        open_folder(root, {{"size", 2}});
      } catch (const FormatError& e) {
        CHECK_THAT(e.what(), Contains(name));
        ++rejected;
      }
      fs::remove(dir.path() / name);
    }
  }
  CHECK(rejected > 100);
}

TEST_CASE("Data.ImageFolder.skip_corrupt", "[plugin]") {
  TempDir dir;
  const std::string root = dir.path().string();
  put_png(dir, "cat/a.png", 10);
  const std::string broken = put(dir, "cat/b.png", "broken");
  put_png(dir, "cat/c.png", 30);
  put_png(dir, "dog/d.png", 40);
  const std::string truncated = put(dir, "dog/e.jpg", golden_jpeg().substr(0, 300));

  CapturedStderr captured;
  auto dataset = open_folder(root, {{"skip_corrupt", true}});
  const std::string warnings = captured.text.str();
  CHECK(first_levels(*dataset, Split::Train) == std::vector<int>{10, 30, 40});
  CHECK(read_sample(*dataset, Split::Train, 2).label == 1);
  CHECK_THAT(warnings, Contains("skipping " + broken + ": is neither a PNG nor a JPEG"));
  CHECK_THAT(warnings, Contains("skipping " + truncated + ": is not a readable JPEG"));
  CHECK_THAT(warnings, Contains("skipped 2 of 5 images"));

  SECTION("nothing left") {
    TempDir other;
    put(other, "only.png", "broken");
    require_open_error(*image_folder(other.path().string(), {{"skip_corrupt", true}}), other.path().string(),
                       "has no image that could be decoded");
  }
}

TEST_CASE("Data.ImageFolder.stop_request_ends_decoding", "[plugin]") {
  TempDir dir;
  for (int i = 0; i < 4; ++i) put_png(dir, std::to_string(i) + ".png", i);
  auto dataset = image_folder(dir.path().string());
  {
    const StopRequest stop;
    CHECK_THROWS_AS(dataset->open(), sslflow::StopRequested);
  }
  dataset->open();  // once the request is withdrawn, the same dataset loads
  CHECK(dataset->size(Split::Train) == 4);
}

// ---- the decoded cache -------------------------------------------------------------

namespace {

std::vector<fs::path> cache_files(const TempDir& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir.path()))
    if (entry.path().extension() == ".cache") files.push_back(entry.path());
  return files;
}

// Rewrites `path` as another PNG of the same byte size and modification time, which a
// current cache therefore does not notice; returns the new image's first pixel value.
int replace_unnoticed(const std::string& path, int old_value) {
  const auto modified = fs::last_write_time(path);
  const size_t size = fs::file_size(path);
  for (int value = old_value + 1; value < 256; ++value) {
    const std::string bytes = png_bytes(4, 3, value);
    if (bytes.size() != size) continue;
    write_bytes(path, bytes);
    fs::last_write_time(path, modified);
    return value;
  }
  FAIL("no PNG of the same size");
  return -1;
}

}  // namespace

TEST_CASE("Data.ImageFolder.cache", "[plugin]") {
  TempDir dir;
  const std::string root = dir.path().string();
  const std::string first = put_png(dir, "cat/a.png", 10);
  put_png(dir, "cat/b.png", 20);
  put_png(dir, "dog/c.png", 30);

  auto decoded = open_folder(root, {{"cache", true}});
  REQUIRE(cache_files(dir).size() == 1);
  const fs::path cache = cache_files(dir)[0];
  CHECK(first_levels(*decoded, Split::Train) == std::vector<int>{10, 20, 30});

  const int changed = replace_unnoticed(first, 10);
  SECTION("a current cache is read instead of the images") {
    auto cached = open_folder(root, {{"cache", true}});
    CHECK(first_levels(*cached, Split::Train) == std::vector<int>{10, 20, 30});  // the cached pixels, not `changed`
    CHECK(read_sample(*cached, Split::Train, 2).label == 1);
    CHECK(cached->num_classes() == 2);
    CHECK(cached->sample_shape() == decoded->sample_shape());
    CHECK(first_levels(*open_folder(root), Split::Train) == std::vector<int>{changed, 20, 30});  // without cache
  }
  SECTION("a new modification time makes it stale") {
    fs::last_write_time(first, fs::last_write_time(first) + std::chrono::seconds(1));
    auto mapped_before = open_folder(root, {{"cache", true}});  // decodes, rewrites the cache
    CHECK(first_levels(*mapped_before, Split::Train) == std::vector<int>{changed, 20, 30});
    auto mapped = open_folder(root, {{"cache", true}});  // maps the new cache
    CHECK(first_levels(*mapped, Split::Train) == std::vector<int>{changed, 20, 30});
    put_png(dir, "dog/d.png", 40);  // a new image: stale again
    auto grown = open_folder(root, {{"cache", true}});
    CHECK(first_levels(*grown, Split::Train) == std::vector<int>{changed, 20, 30, 40});
    CHECK(first_levels(*mapped, Split::Train) == std::vector<int>{changed, 20, 30});  // the old mapping still reads
  }
  SECTION("other options keep their own cache") {
    open_folder(root, {{"cache", true}, {"channels", 1}});
    CHECK(cache_files(dir).size() == 2);
  }
  SECTION("a malformed cache is decoded again and rewritten") {
    const std::string bytes = read_bytes(cache.string());
    for (size_t length : {size_t(0), size_t(20), bytes.size() / 2, bytes.size() - 1}) {
      write_bytes(cache.string(), bytes.substr(0, length));
      CHECK(first_levels(*open_folder(root, {{"cache", true}}), Split::Train) == std::vector<int>{changed, 20, 30});
      CHECK(fs::file_size(cache) == bytes.size());
    }
  }
}
