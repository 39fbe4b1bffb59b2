#include "sslflow/io/safetensors.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

#include "io/element_type.hpp"
#include "io/input_file.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/atomic_file.hpp"

namespace sslflow::io {

namespace {

using Json = nlohmann::ordered_json;  // keeps header order, which breaks ties between empty tensors

constexpr uint64_t kMaxHeaderSize = 100'000'000;
constexpr std::string_view kMetadataKey = "__metadata__";
// Deepest container a valid header has: object -> entry object -> shape/offsets array.
constexpr int kMaxNesting = 3;

struct DtypeName {
  std::string_view name;
  ElementType type;
};

constexpr std::array<DtypeName, 10> kDtypes{{{"F64", ElementType::kF64},
                                             {"F32", ElementType::kF32},
                                             {"F16", ElementType::kF16},
                                             {"BF16", ElementType::kBF16},
                                             {"I64", ElementType::kI64},
                                             {"I32", ElementType::kI32},
                                             {"I16", ElementType::kI16},
                                             {"I8", ElementType::kI8},
                                             {"U8", ElementType::kU8},
                                             {"BOOL", ElementType::kBool}}};

struct Entry {
  std::string name;
  ElementType type;
  std::vector<int64_t> shape;
  uint64_t begin;
  uint64_t end;
};

std::string in_quotes(std::string_view s) {
  std::string quoted(1, '\'');
  return quoted.append(s).append(1, '\'');
}

// Parses the header, rejecting duplicate keys at any level (JSON parsers silently keep
// the last one) and nesting deeper than any valid header needs.
Json parse_header(const InputFile& file, const std::string& text) {
  std::vector<std::set<std::string>> keys_of_open_objects;
  auto check = [&](int depth, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        keys_of_open_objects.emplace_back();
        [[fallthrough]];
      case Json::parse_event_t::array_start:
        if (depth >= kMaxNesting) file.fail("header nests deeper than a safetensors header can");
        break;
      case Json::parse_event_t::object_end:
        keys_of_open_objects.pop_back();
        break;
      case Json::parse_event_t::key: {
        const auto& key = parsed.get_ref<const std::string&>();
        if (!keys_of_open_objects.back().insert(key).second)
          file.fail(keys_of_open_objects.size() == 1 ? "duplicate tensor name " + in_quotes(key) + " in the header"
                                                     : "duplicate key " + in_quotes(key) + " in the header");
        break;
      }
      default:
        break;
    }
    return true;
  };
  try {
    return Json::parse(text, check);
  } catch (const Json::exception& e) {
    file.fail(std::string("header is not valid UTF-8 JSON: ") + e.what());
  }
}

std::vector<std::pair<std::string, std::string>> parse_metadata(const InputFile& file, const Json& value) {
  if (!value.is_object()) file.fail("\"__metadata__\" is not a string -> string map");
  std::vector<std::pair<std::string, std::string>> metadata;
  for (const auto& [key, text] : value.items()) {
    if (!text.is_string()) file.fail("\"__metadata__\" value of " + in_quotes(key) + " is not a string");
    metadata.emplace_back(key, text.get<std::string>());
  }
  return metadata;
}

Entry parse_entry(const InputFile& file, const std::string& name, const Json& value) {
  auto bad = [&](const std::string& message) {
    return FormatError(file.path(), "tensor " + in_quotes(name) + ": " + message);
  };
  if (!value.is_object()) throw bad("entry is not a JSON object");
  for (const auto& item : value.items())
    if (item.key() != "dtype" && item.key() != "shape" && item.key() != "data_offsets")
      throw bad("unexpected key " + in_quotes(item.key()));
  auto field = [&](const char* key) -> const Json& {
    auto it = value.find(key);
    if (it == value.end()) throw bad(std::string("missing \"") + key + "\"");
    return *it;
  };
  auto unsigned_integer = [&](const Json& j, const char* what) -> uint64_t {
    if (j.is_number_integer() && !j.is_number_unsigned()) throw bad(std::string(what) + " is negative");
    if (!j.is_number_unsigned()) throw bad(std::string(what) + " is not an integer");
    return j.get<uint64_t>();
  };

  Entry entry{name, ElementType::kF32, {}, 0, 0};

  const Json& dtype = field("dtype");
  if (!dtype.is_string()) throw bad("\"dtype\" is not a string");
  const auto& dtype_name = dtype.get_ref<const std::string&>();
  auto known = std::find_if(kDtypes.begin(), kDtypes.end(), [&](const DtypeName& d) { return d.name == dtype_name; });
  if (known == kDtypes.end()) throw bad("unknown dtype " + in_quotes(dtype_name));
  entry.type = known->type;

  const Json& shape = field("shape");
  if (!shape.is_array()) throw bad("\"shape\" is not an array");
  if (shape.size() > static_cast<size_t>(Shape::kMaxDims))
    throw bad("rank " + std::to_string(shape.size()) + " exceeds the limit of " + std::to_string(Shape::kMaxDims));
  for (const Json& d : shape) {
    uint64_t dim = unsigned_integer(d, "a dimension");
    if (dim > static_cast<uint64_t>(INT64_MAX)) throw bad("dimension " + std::to_string(dim) + " is too large");
    entry.shape.push_back(static_cast<int64_t>(dim));
  }

  const Json& offsets = field("data_offsets");
  if (!offsets.is_array() || offsets.size() != 2) throw bad("\"data_offsets\" is not [begin, end]");
  entry.begin = unsigned_integer(offsets[0], "data_offsets begin");
  entry.end = unsigned_integer(offsets[1], "data_offsets end");
  if (entry.begin > entry.end)
    throw bad("data_offsets [" + std::to_string(entry.begin) + ", " + std::to_string(entry.end) +
              "] end before they begin");

  auto bytes = checked_byte_size(entry.shape, entry.type);
  if (!bytes) throw bad("shape " + Shape(entry.shape).str() + " overflows");
  if (*bytes != entry.end - entry.begin)
    throw bad("shape " + Shape(entry.shape).str() + " of " + dtype_name + " needs " + std::to_string(*bytes) +
              " bytes but data_offsets span " + std::to_string(entry.end - entry.begin));
  return entry;
}

// Sorts entries by offset and checks they tile the buffer exactly: no hole, no overlap.
void order_and_check_layout(const InputFile& file, std::vector<Entry>& entries, uint64_t buffer_size) {
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  uint64_t expected = 0;
  const Entry* previous = nullptr;
  for (const Entry& e : entries) {
    if (e.begin < expected) file.fail("tensor " + in_quotes(e.name) + " overlaps tensor " + in_quotes(previous->name));
    if (e.begin > expected)
      file.fail("hole of " + std::to_string(e.begin - expected) + " bytes in the buffer before tensor " +
                in_quotes(e.name));
    expected = e.end;
    previous = &e;
  }
  if (expected != buffer_size)
    file.fail("tensors cover " + std::to_string(expected) + " bytes but the buffer after the header holds " +
              std::to_string(buffer_size));
}

Tensor read_tensor(InputFile& file, const Entry& entry) {
  Tensor tensor = Tensor::uninitialized(Shape(entry.shape));
  const uint64_t bytes = entry.end - entry.begin;
  if (entry.type == ElementType::kF32) {
    file.read(tensor.data(), bytes, "tensor data");
  } else {
    std::vector<unsigned char> stored = file.read_bytes(bytes, "tensor data");
    convert_to_float(entry.type, stored.data(), static_cast<size_t>(tensor.numel()), tensor.data());
  }
  return tensor;
}

void write_u64(std::ostream& out, uint64_t value) {
  std::array<char, 8> bytes;
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  out.write(bytes.data(), bytes.size());
}

}  // namespace

SafetensorsFile read_safetensors(const std::string& path) {
  InputFile file(path);
  if (file.size() < 8)
    file.fail("file of " + std::to_string(file.size()) + " bytes is shorter than the 8-byte header length");
  std::array<unsigned char, 8> length_bytes;
  file.read(length_bytes.data(), length_bytes.size(), "header length");
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | length_bytes[i];
  if (header_size > kMaxHeaderSize)
    file.fail("header length " + std::to_string(header_size) + " exceeds the limit of " +
              std::to_string(kMaxHeaderSize));
  if (header_size > file.remaining())
    file.fail("header length " + std::to_string(header_size) + " runs past the end of the file (" +
              std::to_string(file.remaining()) + " bytes follow)");

  const std::string text = file.read_text(header_size, "header");
  const Json header = parse_header(file, text);
  if (!header.is_object()) file.fail("header is not a JSON object");

  SafetensorsFile result;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == kMetadataKey)
      result.metadata = parse_metadata(file, value);
    else
      entries.push_back(parse_entry(file, name, value));
  }
  order_and_check_layout(file, entries, file.remaining());

  result.tensors.reserve(entries.size());
  for (const Entry& entry : entries) result.tensors.emplace_back(entry.name, read_tensor(file, entry));
  return result;
}

void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::vector<std::pair<std::string, std::string>>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) {
    Json map = Json::object();
    for (const auto& [key, value] : metadata) {
      if (map.contains(key)) throw FormatError(path, "duplicate metadata key " + in_quotes(key));
      map[key] = value;
    }
    header[std::string(kMetadataKey)] = std::move(map);
  }
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == kMetadataKey) throw FormatError(path, "tensor name " + in_quotes(name) + " is reserved");
    if (header.contains(name)) throw FormatError(path, "duplicate tensor name " + in_quotes(name));
    if (!tensor.defined()) throw FormatError(path, "tensor " + in_quotes(name) + " is undefined");
    const uint64_t bytes = static_cast<uint64_t>(tensor.numel()) * sizeof(float);
    Json entry = Json::object();
    entry["dtype"] = "F32";
    entry["shape"] = tensor.shape().to_vector();
    entry["data_offsets"] = Json::array({offset, offset + bytes});
    header[name] = std::move(entry);
    offset += bytes;
  }

  std::string text;
  try {
    text = header.dump();
  } catch (const Json::exception&) {
    throw FormatError(path, "a tensor name or metadata entry is not valid UTF-8");
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  if (text.size() > kMaxHeaderSize)
    throw FormatError(path, "header of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                                std::to_string(kMaxHeaderSize));

  write_file_atomically(path, [&](std::ostream& out) {
    write_u64(out, text.size());
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& [name, tensor] : tensors)
      out.write(reinterpret_cast<const char*>(tensor.data()),
                static_cast<std::streamsize>(tensor.numel() * sizeof(float)));
  });
}

}  // namespace sslflow::io
