#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "io_test_support.hpp"
#include "op_inputs.hpp"
#include "sslflow/io/npy.hpp"

using namespace sslflow;
using namespace sslflow::io;
using sslflow::testing::data_file;
using sslflow::testing::MalformedFile;
using sslflow::testing::read_bytes;
using sslflow::testing::reject_corruptions;
using sslflow::testing::require_format_error;
using sslflow::testing::require_format_errors;
using sslflow::testing::TempDir;
using sslflow::testing::values;
using sslflow::testing::write_bytes;

namespace {

// The six values every fixture of make_io_fixtures.py holds, by kind of dtype.
const std::vector<float> kFloats{-1.25f, -0.75f, -0.25f, 0.25f, 0.75f, 1.25f};
const std::vector<int64_t> kSigned{-2, -1, 0, 1, 2, 3};
const std::vector<int64_t> kUnsigned{0, 1, 2, 3, 4, 5};
const std::vector<int64_t> kBools{1, 0, 1, 0, 1, 0};

std::vector<float> as_floats(const std::vector<int64_t>& values) { return {values.begin(), values.end()}; }

// A v1.0 .npy file with `dict` as its header, padded like NumPy's, then `data`.
std::string npy_bytes(std::string dict, const std::string& data) {
  dict.append(63 - (10 + dict.size()) % 64, ' ').append("\n");
  std::string length{static_cast<char>(dict.size() & 0xff), static_cast<char>(dict.size() >> 8)};
  return std::string("\x93NUMPY\x01\x00", 8) + length + dict + data;
}

}  // namespace

TEST_CASE("IO.Npy.writer_matches_numpy_bytes", "[io][golden]") {
  TempDir dir;
  const std::string path = dir.file("out.npy");
  struct Case {
    const char* fixture;
    Tensor tensor;
  };
  const std::vector<Case> cases{
      {"f4.npy", Tensor(Shape{2, 3}, kFloats)},
      {"f4_scalar.npy", Tensor::scalar(3.5f)},
      {"f4_empty.npy", Tensor(Shape{0, 3})},
      {"f4_rank4.npy", Tensor(Shape{2, 1, 1, 3}, kFloats)},
  };
  for (const Case& c : cases) {
    INFO(c.fixture);
    write_npy(path, c.tensor);
    CHECK(read_bytes(path) == read_bytes(data_file(std::string("npy/") + c.fixture)));
  }
  write_npy(path, kSigned);
  CHECK(read_bytes(path) == read_bytes(data_file("npy/i8_vector.npy")));
  REQUIRE(std::filesystem::file_size(path) == 128 + kSigned.size() * sizeof(int64_t));
}

TEST_CASE("IO.Npy.reads_every_numpy_dtype", "[io]") {
  struct Case {
    const char* name;
    const char* descr;
    const std::vector<int64_t>* integers;  // null for floating-point dtypes
  };
  const std::vector<Case> cases{{"f8", "<f8", nullptr},    {"f4", "<f4", nullptr},    {"f2", "<f2", nullptr},
                                {"i8", "<i8", &kSigned},   {"i4", "<i4", &kSigned},   {"i2", "<i2", &kSigned},
                                {"i1", "|i1", &kSigned},   {"u4", "<u4", &kUnsigned}, {"u2", "<u2", &kUnsigned},
                                {"u1", "|u1", &kUnsigned}, {"b1", "|b1", &kBools}};
  for (const Case& c : cases) {
    INFO(c.name);
    NpyArray array = read_npy(data_file(std::string("npy/") + c.name + ".npy"));
    CHECK(array.descr == c.descr);
    CHECK(array.shape == std::vector<int64_t>{2, 3});
    Tensor tensor = array.to_tensor();
    CHECK(tensor.shape() == Shape{2, 3});
    if (c.integers) {
      CHECK(array.to_int64() == *c.integers);
      CHECK(values(tensor) == as_floats(*c.integers));
    } else {
      CHECK(values(tensor) == kFloats);
      CHECK_THROWS_AS(array.to_int64(), FormatError);
    }
  }
}

TEST_CASE("IO.Npy.reads_format_versions_2_and_3", "[io]") {
  for (const char* name : {"npy/f4_v2.npy", "npy/f4_v3.npy"}) {
    INFO(name);
    Tensor tensor = read_npy(data_file(name)).to_tensor();
    CHECK(tensor.shape() == Shape{2, 3});
    CHECK(values(tensor) == kFloats);
  }
}

TEST_CASE("IO.Npy.reads_scalar_and_empty_arrays", "[io]") {
  NpyArray scalar = read_npy(data_file("npy/f4_scalar.npy"));
  REQUIRE(scalar.shape.empty());
  REQUIRE(scalar.to_tensor().item() == 3.5f);
  NpyArray empty = read_npy(data_file("npy/f4_empty.npy"));
  REQUIRE(empty.shape == std::vector<int64_t>{0, 3});
  REQUIRE(empty.bytes.empty());
  REQUIRE(empty.to_tensor().shape() == Shape{0, 3});
}

TEST_CASE("IO.Npy.round_trip", "[io]") {
  TempDir dir;
  Tensor embeddings =
      Tensor(Shape{3, 2, 2}, std::vector<float>{1, -2, 3.5f, 4, 5, 6, 7, 8, 9, 10, 11, -1e30f}).rows(1, 3);
  write_npy(dir.file("embeddings.npy"), embeddings);
  Tensor back = read_npy(dir.file("embeddings.npy")).to_tensor();
  REQUIRE(back.shape() == Shape{2, 2, 2});
  REQUIRE(values(back) == values(embeddings));

  const std::vector<int64_t> labels{0, 9, -3, INT64_MAX, INT64_MIN};
  write_npy(dir.file("labels.npy"), labels);
  NpyArray array = read_npy(dir.file("labels.npy"));
  REQUIRE(array.descr == "<i8");
  REQUIRE(array.shape == std::vector<int64_t>{5});
  REQUIRE(array.to_int64() == labels);

  write_npy(dir.file("none.npy"), std::vector<int64_t>{});
  REQUIRE(read_npy(dir.file("none.npy")).shape == std::vector<int64_t>{0});
}

TEST_CASE("IO.Npy.rejects_numpy_files_it_cannot_represent", "[io]") {
  require_format_error(read_npy, data_file("npy/f4_big_endian.npy"), "big-endian dtype '>f4' is not supported");
  require_format_error(read_npy, data_file("npy/f4_fortran.npy"), "Fortran-order arrays are not supported");
  require_format_error(read_npy, data_file("npy/object.npy"), "object dtype '|O' needs pickle");
}

TEST_CASE("IO.Npy.rejects_malformed_files", "[io]") {
  TempDir dir;
  const std::string eight_bytes(8, '\0');
  const std::string f4_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  const std::vector<MalformedFile> cases{
      {"shorter than the magic", "\x93NUM", "shorter than the .npy magic string"},
      {"bad magic", "PK\x03\x04" + std::string(60, '\0'), "bad magic string"},
      {"unknown version", std::string("\x93NUMPY\x04\x00", 8) + std::string(60, ' '),
       "unsupported .npy format version 4.0"},
      {"header over the limit", std::string("\x93NUMPY\x02\x00", 8) + std::string("\x20\x4e\x00\x00", 4) + "{",
       "header of 20000 bytes exceeds the limit of 10000"},
      {"header past the end", std::string("\x93NUMPY\x01\x00", 8) + std::string("\x00\x01", 2) + "{'descr'",
       "header needs 256 bytes"},
      {"truncated data", npy_bytes(f4_dict, std::string(6, '\0')),
       "data is truncated: shape (2,) needs 8 bytes, the file holds 6"},
      {"huge array, small file",
       npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000), }", eight_bytes),
       "needs 8000000000000 bytes, the file holds 8"},
      {"trailing data", npy_bytes(f4_dict, std::string(9, '\0')), "1 unexpected bytes after the data"},
      {"fortran order", npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", eight_bytes),
       "Fortran-order arrays are not supported"},
      {"big-endian", npy_bytes("{'descr': '>i8', 'fortran_order': False, 'shape': (1,), }", eight_bytes),
       "big-endian dtype '>i8'"},
      {"object dtype", npy_bytes("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", eight_bytes),
       "object dtype '|O' needs pickle"},
      {"complex dtype", npy_bytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", eight_bytes),
       "unsupported dtype '<c8'"},
      {"structured dtype", npy_bytes("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }", eight_bytes),
       "structured dtypes are not supported"},
      {"missing key", npy_bytes("{'descr': '<f4', 'shape': (2,), }", eight_bytes),
       "lacks one of 'descr', 'fortran_order', 'shape'"},
      {"extra key", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1, }", eight_bytes),
       "unexpected or repeated key 'x'"},
      {"repeated key",
       npy_bytes("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", eight_bytes),
       "unexpected or repeated key 'descr'"},
      {"negative dimension", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", eight_bytes),
       "expected a non-negative integer"},
      {"shape not a tuple", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", eight_bytes),
       "expected '('"},
      {"overflowing shape",
       npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", eight_bytes),
       "overflows"},
      {"huge dimension",
       npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", eight_bytes),
       "dimension too large"},
      {"not a boolean", npy_bytes("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", eight_bytes),
       "expected True or False"},
      {"unterminated string", npy_bytes("{'descr': '<f4}", eight_bytes), "unterminated string"},
      {"no closing brace", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", eight_bytes),
       "expected '}'"},
      {"text after the dict", npy_bytes(f4_dict + " x", eight_bytes), "unexpected text after the header dictionary"},
  };
  require_format_errors(read_npy, dir, "bad.npy", cases);
}

TEST_CASE("IO.Npy.corrupted_files_give_format_errors", "[io]") {
  TempDir dir;
  const std::string original = read_bytes(data_file("npy/f4.npy"));
  const int rejected =
      reject_corruptions([](const std::string& path) { read_npy(path).to_tensor(); }, dir, original, 128);
  REQUIRE(rejected >= static_cast<int>(original.size()));  // at least every truncation
}

TEST_CASE("IO.Npy.conversions_check_the_array", "[io]") {
  NpyArray rank5{"<i4", {1, 1, 1, 1, 2}, std::vector<unsigned char>{7, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}};
  CHECK_THROWS_WITH(rank5.to_tensor(), Catch::Contains("has more than 4 dimensions"));
  CHECK(rank5.to_int64() == std::vector<int64_t>{7, -1});

  NpyArray floats{"<f4", {2}, std::vector<unsigned char>(8)};
  CHECK_THROWS_WITH(floats.to_int64(), Catch::Contains("dtype '<f4' is not an integer type"));
  NpyArray short_bytes{"<f4", {3}, std::vector<unsigned char>(8)};
  CHECK_THROWS_WITH(short_bytes.to_tensor(), Catch::Contains("holds 8 bytes, which do not match shape (3,)"));
  NpyArray complex{"<c8", {1}, std::vector<unsigned char>(8)};
  CHECK_THROWS_AS(complex.to_tensor(), FormatError);
}
