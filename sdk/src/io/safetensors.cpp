#include "sslflow/io/safetensors.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>
#include <string_view>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "io/element_type.hpp"
#include "io/input_file.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/atomic_file.hpp"

namespace sslflow::io {

namespace {

// Reading: nlohmann::ordered_json would keep the header's order but searches linearly on
// every insert, quadratic in the number of tensors; the order is recorded while parsing.
using Json = nlohmann::json;
// Writing: the header in the order of the tensors given, as upstream's writer keeps it.
using OrderedJson = nlohmann::ordered_json;

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

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

// `s` in single quotes, control characters written as \xNN.
std::string in_quotes(std::string_view s) {
  std::string quoted(1, '\'');
  for (unsigned char c : s) {
    if (!is_control(c)) {
      quoted += static_cast<char>(c);
      continue;
    }
    char escaped[5];
    std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
    quoted += escaped;
  }
  return quoted.append(1, '\'');
}

// "[2, 3]"; also for a shape too large for Shape.
std::string shape_text(const std::vector<int64_t>& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

// The first pass over a header: a SAX reader that rejects duplicate keys at any level
// (JSON parsers silently keep the last one) and nesting deeper than any valid header
// needs, and records the order of the keys. (nlohmann's parser with a callback would do
// the same in one pass, but scans the parent object after every child object it closes:
// quadratic in the number of tensors.)
class HeaderKeys : public nlohmann::json_sax<Json> {
 public:
  explicit HeaderKeys(const InputFile& file) : file_(file) {}

  std::vector<std::string> names;          // the top level's keys: tensor names and "__metadata__"
  std::vector<std::string> metadata_keys;  // the keys of "__metadata__"

  bool start_object(std::size_t) override {
    open(true);
    return true;
  }
  bool end_object() override {
    keys_of_open_objects_.pop_back();
    close();
    if (keys_of_open_objects_.size() == 1) in_metadata_ = false;
    return true;
  }
  bool start_array(std::size_t) override {
    open(false);
    return true;
  }
  bool end_array() override {
    close();
    return true;
  }
  bool key(string_t& key) override {
    const bool top_level = keys_of_open_objects_.size() == 1;
    if (!keys_of_open_objects_.back().insert(key).second)
      file_.fail(top_level ? "duplicate tensor name " + in_quotes(key) + " in the header"
                           : "duplicate key " + in_quotes(key) + " in the header");
    if (top_level) {
      in_metadata_ = key == kMetadataKey;
      names.push_back(key);
    } else if (in_metadata_ && keys_of_open_objects_.size() == 2) {
      metadata_keys.push_back(key);
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    file_.fail(std::string("header is not valid UTF-8 JSON: ") + e.what());
  }
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }

 private:
  void open(bool object) {
    if (depth_ >= kMaxNesting) file_.fail("header nests deeper than a safetensors header can");
    ++depth_;
    if (object) keys_of_open_objects_.emplace_back();
  }
  void close() { --depth_; }

  const InputFile& file_;
  int depth_ = 0;
  std::vector<std::set<std::string>> keys_of_open_objects_;
  bool in_metadata_ = false;  // inside the value of the top level's "__metadata__"
};

// A parsed header and the order of its keys.
struct Header {
  Json json;
  std::vector<std::string> names;
  std::vector<std::string> metadata_keys;
};

// Parses the header in two linear passes: the checks and the order of the keys, then the
// document.
Header parse_header(const InputFile& file, const std::string& text) {
  HeaderKeys keys(file);
  Json::sax_parse(text, &keys);
  return Header{Json::parse(text), std::move(keys.names), std::move(keys.metadata_keys)};
}

std::vector<std::pair<std::string, std::string>> parse_metadata(const InputFile& file, const Json& value,
                                                                const std::vector<std::string>& keys) {
  if (!value.is_object()) file.fail("\"__metadata__\" is not a string -> string map");
  std::vector<std::pair<std::string, std::string>> metadata;
  for (const std::string& key : keys) {
    const Json& text = value.at(key);
    if (!text.is_string()) file.fail("\"__metadata__\" value of " + in_quotes(key) + " is not a string");
    metadata.emplace_back(key, text.get<std::string>());
  }
  return metadata;
}

// Refuses a tensor name that is empty or holds a NUL byte or another control character.
void check_name(const std::string& path, const std::string& name) {
  if (name.empty()) throw FormatError(path, "a tensor has an empty name");
  const auto control = std::find_if(name.begin(), name.end(), [](char c) { return is_control(static_cast<unsigned char>(c)); });
  if (control != name.end())
    throw FormatError(path, "tensor name " + in_quotes(name) + " holds a control character at byte " +
                                std::to_string(control - name.begin()));
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
  if (!bytes) throw bad("shape " + shape_text(entry.shape) + " overflows");
  if (*bytes != entry.end - entry.begin)
    throw bad("shape " + shape_text(entry.shape) + " of " + dtype_name + " needs " + std::to_string(*bytes) +
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
  const Header header = parse_header(file, text);
  if (!header.json.is_object()) file.fail("header is not a JSON object");

  SafetensorsFile result;
  std::vector<Entry> entries;
  entries.reserve(header.names.size());
  for (const std::string& name : header.names) {
    const Json& value = header.json.at(name);
    if (name == kMetadataKey) {
      result.metadata = parse_metadata(file, value, header.metadata_keys);
    } else {
      check_name(path, name);
      entries.push_back(parse_entry(file, name, value));
    }
  }
  order_and_check_layout(file, entries, file.remaining());

  result.tensors.reserve(entries.size());
  for (const Entry& entry : entries) result.tensors.emplace_back(entry.name, read_tensor(file, entry));
  return result;
}

void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::vector<std::pair<std::string, std::string>>& metadata) {
  // The top level is written member by member: an ordered_json object would search its
  // keys linearly on every insert.
  std::string text = "{";
  auto append_member = [&](const std::string& key, const OrderedJson& value) {
    if (text.size() > 1) text += ',';
    try {
      text.append(OrderedJson(key).dump()).append(1, ':').append(value.dump());
    } catch (const OrderedJson::exception&) {
      throw FormatError(path, "a tensor name or metadata entry is not valid UTF-8");
    }
  };
  if (!metadata.empty()) {
    OrderedJson map = OrderedJson::object();
    for (const auto& [key, value] : metadata) {
      if (map.contains(key)) throw FormatError(path, "duplicate metadata key " + in_quotes(key));
      map[key] = value;
    }
    append_member(std::string(kMetadataKey), map);
  }
  std::unordered_set<std::string_view> names;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == kMetadataKey) throw FormatError(path, "tensor name " + in_quotes(name) + " is reserved");
    if (!names.insert(name).second) throw FormatError(path, "duplicate tensor name " + in_quotes(name));
    check_name(path, name);
    if (!tensor.defined()) throw FormatError(path, "tensor " + in_quotes(name) + " is undefined");
    const uint64_t bytes = static_cast<uint64_t>(tensor.numel()) * sizeof(float);
    OrderedJson entry = OrderedJson::object();
    entry["dtype"] = "F32";
    entry["shape"] = tensor.shape().to_vector();
    entry["data_offsets"] = OrderedJson::array({offset, offset + bytes});
    append_member(name, entry);
    offset += bytes;
  }
  text += '}';
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
