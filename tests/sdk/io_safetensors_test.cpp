#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "io_test_support.hpp"
#include "op_inputs.hpp"
#include "sslflow/io/safetensors.hpp"

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

std::string u64_le(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return bytes;
}

std::string float_bytes(const std::vector<float>& values) {
  std::string bytes(values.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// A safetensors file: the header length, `header` verbatim, then `buffer_size` zero bytes.
std::string safetensors_bytes(const std::string& header, size_t buffer_size) {
  return u64_le(header.size()) + header + std::string(buffer_size, '\0');
}

}  // namespace

TEST_CASE("IO.Safetensors.writer_matches_upstream_golden_bytes", "[io][golden]") {
  TempDir dir;
  const std::string path = dir.file("attn.safetensors");
  Tensor attn(Shape{1, 2, 3}, std::vector<float>{0, 1, 2, 3, 4, 5});
  write_safetensors(path, {{"attn.0", attn}});

  // huggingface/safetensors test_serialization: a 64-byte header needs no padding.
  const std::string header = R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})";
  REQUIRE(header.size() == 64);
  REQUIRE(read_bytes(path) == u64_le(64) + header + float_bytes({0, 1, 2, 3, 4, 5}));
}

TEST_CASE("IO.Safetensors.writer_pads_header_to_eight_bytes", "[io][golden]") {
  TempDir dir;
  const std::string path = dir.file("attn0.safetensors");
  write_safetensors(path, {{"attn0", Tensor(Shape{1, 1, 2, 3}, std::vector<float>{0, 1, 2, 3, 4, 5})}});

  // The 65-byte JSON is padded with spaces to 72 bytes.
  const std::string header = R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})";
  REQUIRE(header.size() == 65);
  REQUIRE(read_bytes(path) == u64_le(72) + header + std::string(7, ' ') + float_bytes({0, 1, 2, 3, 4, 5}));
}

TEST_CASE("IO.Safetensors.round_trip", "[io]") {
  TempDir dir;
  const std::string path = dir.file("model.safetensors");
  Tensor weight(Shape{2, 3}, std::vector<float>{1.5f, -2, 0, 3.25f, 1e-8f, -7});
  Tensor batch = Tensor(Shape{4, 2}, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}).rows(1, 3);
  NamedTensors tensors{{"layer.weight", weight},
                       {"layer.bias", Tensor::full(Shape{3}, 0.5f)},
                       {"step", Tensor::scalar(12)},
                       {"empty", Tensor(Shape{0, 4})},
                       {"rows", batch}};
  write_safetensors(path, tensors, {{"format", "pt"}, {"note", "sslflow ✓"}});

  SafetensorsFile file = read_safetensors(path);
  REQUIRE(file.metadata == std::vector<std::pair<std::string, std::string>>{{"format", "pt"}, {"note", "sslflow ✓"}});
  REQUIRE(file.tensors.size() == tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    INFO(tensors[i].first);
    CHECK(file.tensors[i].first == tensors[i].first);
    CHECK(file.tensors[i].second.shape() == tensors[i].second.shape());
    CHECK(values(file.tensors[i].second) == values(tensors[i].second));
  }
  REQUIRE(std::filesystem::file_size(path) % 8 == 0);
}

TEST_CASE("IO.Safetensors.reads_every_dtype_of_python_fixture", "[io]") {
  SafetensorsFile file = read_safetensors(data_file("safetensors/all_dtypes.safetensors"));
  REQUIRE(file.metadata ==
          std::vector<std::pair<std::string, std::string>>{{"format", "pt"}, {"source", "make_io_fixtures"}});

  // Data-offset order, which the writer chose by alignment then name; "empty" and
  // "scalar" share offset 96 and keep their header order.
  std::vector<std::string> names;
  for (const auto& [name, tensor] : file.tensors) names.push_back(name);
  REQUIRE(names == std::vector<std::string>{"values.f64", "values.i64", "empty", "scalar", "values.f32", "values.i32",
                                            "values.bf16", "values.f16", "values.i16", "values.bool", "values.i8",
                                            "values.u8"});

  const std::vector<float> floats{-1.25f, -0.75f, -0.25f, 0.25f, 0.75f, 1.25f};
  const std::vector<float> signed_ints{-2, -1, 0, 1, 2, 3};
  const std::map<std::string, std::vector<float>> expected{
      {"values.f64", floats},           {"values.f32", floats},           {"values.f16", floats},
      {"values.bf16", floats},          {"values.i64", signed_ints},      {"values.i32", signed_ints},
      {"values.i16", signed_ints},      {"values.i8", signed_ints},       {"values.u8", {0, 1, 2, 3, 4, 5}},
      {"values.bool", {1, 0, 1, 0, 1, 0}}};
  for (const auto& [name, tensor] : file.tensors) {
    INFO(name);
    if (name == "empty") {
      CHECK(tensor.shape() == Shape{0, 3});
    } else if (name == "scalar") {
      CHECK(tensor.shape() == Shape{});
      CHECK(tensor.item() == 3.5f);
    } else {
      CHECK(tensor.shape() == Shape{2, 3});
      CHECK(values(tensor) == expected.at(name));
    }
  }
}

TEST_CASE("IO.Safetensors.rejects_malformed_files", "[io]") {
  TempDir dir;
  const std::string f32_entry = R"("dtype":"F32","shape":[2],"data_offsets":[0,8])";
  const std::vector<MalformedFile> cases{
      {"shorter than 8 bytes", "\x10\0\0", "shorter than the 8-byte header length"},
      {"header over the limit", u64_le(100'000'001) + "{}", "exceeds the limit of 100000000"},
      {"header past the end", u64_le(64) + "{}", "runs past the end of the file"},
      {"not UTF-8", safetensors_bytes("{\"\xff\xfe\":{}}", 0), "not valid UTF-8 JSON"},
      {"not JSON", safetensors_bytes(R"({"a":)", 0), "not valid UTF-8 JSON"},
      {"not an object", safetensors_bytes("[1, 2]", 0), "not a JSON object"},
      {"entry not an object", safetensors_bytes(R"({"a":[1]})", 0), "'a': entry is not a JSON object"},
      {"missing dtype", safetensors_bytes(R"({"a":{"shape":[2],"data_offsets":[0,8]}})", 8), "missing \"dtype\""},
      {"missing shape", safetensors_bytes(R"({"a":{"dtype":"F32","data_offsets":[0,8]}})", 8), "missing \"shape\""},
      {"missing offsets", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2]}})", 8), "missing \"data_offsets\""},
      {"unexpected key", safetensors_bytes(R"({"a":{)" + f32_entry + R"(,"stride":[1]}})", 8),
       "unexpected key 'stride'"},
      {"dtype not a string", safetensors_bytes(R"({"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}})", 8),
       "\"dtype\" is not a string"},
      {"unknown dtype", safetensors_bytes(R"({"a":{"dtype":"C64","shape":[2],"data_offsets":[0,16]}})", 16),
       "unknown dtype 'C64'"},
      {"shape not an array", safetensors_bytes(R"({"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}})", 8),
       "\"shape\" is not an array"},
      {"fractional dimension", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", 8),
       "a dimension is not an integer"},
      {"negative dimension", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8),
       "a dimension is negative"},
      {"rank above 4", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1,1,1,1,2],"data_offsets":[0,8]}})", 8),
       "rank 5 exceeds the limit of 4"},
      {"overflowing shape",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}})", 8),
       "overflows"},
      {"offsets not a pair", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8]}})", 8),
       "not [begin, end]"},
      {"offsets negative", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[-1,-1]}})", 0),
       "data_offsets begin is negative"},
      {"offsets reversed", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8),
       "end before they begin"},
      {"size mismatch", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8),
       "needs 12 bytes but data_offsets span 8"},
      {"hole",
       safetensors_bytes(R"({"a":{)" + f32_entry + R"(},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}})", 16),
       "hole of 4 bytes in the buffer before tensor 'b'"},
      {"overlap",
       safetensors_bytes(R"({"a":{)" + f32_entry + R"(},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12),
       "tensor 'b' overlaps tensor 'a'"},
      {"not starting at 0", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8),
       "hole of 4 bytes in the buffer before tensor 'a'"},
      {"buffer too long", safetensors_bytes(R"({"a":{)" + f32_entry + "}}", 12),
       "cover 8 bytes but the buffer after the header holds 12"},
      {"buffer truncated", safetensors_bytes(R"({"a":{)" + f32_entry + "}}", 4),
       "cover 8 bytes but the buffer after the header holds 4"},
      {"huge tensor, small file",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1000000000],"data_offsets":[0,4000000000]}})", 8),
       "cover 4000000000 bytes but the buffer after the header holds 8"},
      {"duplicate tensor", safetensors_bytes(R"({"a":{)" + f32_entry + R"(},"a":{)" + f32_entry + "}}", 8),
       "duplicate tensor name 'a'"},
      {"duplicate field", safetensors_bytes(R"({"a":{"dtype":"F32",)" + f32_entry + "}}", 8), "duplicate key 'dtype'"},
      {"metadata not a map", safetensors_bytes(R"({"__metadata__":"x"})", 0),
       "\"__metadata__\" is not a string -> string map"},
      {"metadata value not a string", safetensors_bytes(R"({"__metadata__":{"epoch":3}})", 0),
       "\"__metadata__\" value of 'epoch' is not a string"},
      {"NUL byte in a name", safetensors_bytes(R"({"a\u0000b":{)" + f32_entry + "}}", 8),
       "tensor name 'a\\x00b' holds a control character at byte 1"},
      {"escape code in a name", safetensors_bytes(R"({"\u001b[31mred":{)" + f32_entry + "}}", 8),
       "tensor name '\\x1b[31mred' holds a control character at byte 0"},
      {"empty name", safetensors_bytes(R"({"":{)" + f32_entry + "}}", 8), "a tensor has an empty name"},
      {"deep nesting", safetensors_bytes(R"({"__metadata__":{"a":[[[[[[]]]]]]}})", 0), "nests deeper"},
  };
  require_format_errors(read_safetensors, dir, "bad.safetensors", cases);
}

TEST_CASE("IO.Safetensors.corrupted_files_give_format_errors", "[io]") {
  TempDir dir;
  const std::string header =
      R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}})";
  const std::string original = safetensors_bytes(header, 16);
  write_bytes(dir.file("valid"), original);
  REQUIRE(read_safetensors(dir.file("valid")).tensors.size() == 2);
  // Corrupting the length and the JSON header; any tensor bytes are valid values.
  const int rejected = reject_corruptions(read_safetensors, dir, original, 8 + header.size());
  REQUIRE(rejected >= static_cast<int>(original.size()));  // at least every truncation
}

TEST_CASE("IO.Safetensors.missing_file_is_a_format_error", "[io]") {
  TempDir dir;
  require_format_error(read_safetensors, dir.file("absent.safetensors"), "cannot read: No such file or directory");
  require_format_error(read_safetensors, dir.path().string(), "not a regular file");
}

TEST_CASE("IO.Safetensors.writer_rejects_ambiguous_input", "[io]") {
  TempDir dir;
  const std::string path = dir.file("out.safetensors");
  Tensor t = Tensor::full(Shape{2}, 1.0f);
  auto write = [&](const NamedTensors& tensors, const std::vector<std::pair<std::string, std::string>>& metadata) {
    return [&, tensors, metadata](const std::string& p) { write_safetensors(p, tensors, metadata); };
  };
  require_format_error(write({{"a", t}, {"a", t}}, {}), path, "duplicate tensor name 'a'");
  require_format_error(write({{"__metadata__", t}}, {}), path, "is reserved");
  require_format_error(write({{"a", Tensor()}}, {}), path, "tensor 'a' is undefined");
  require_format_error(write({{"a", t}}, {{"k", "1"}, {"k", "2"}}), path, "duplicate metadata key 'k'");
  require_format_error(write({{"bad\xff", t}}, {}), path, "not valid UTF-8");
  require_format_error(write({{"two\nlines", t}}, {}), path, "tensor name 'two\\x0alines' holds a control character");
  REQUIRE_FALSE(std::filesystem::exists(path));
}
