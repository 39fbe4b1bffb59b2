#include "sslflow/io/npy.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "io/element_type.hpp"
#include "io/input_file.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/atomic_file.hpp"

namespace sslflow::io {

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr uint64_t kMaxHeaderSize = 10000;   // NumPy's _MAX_HEADER_SIZE
constexpr size_t kArrayAlign = 64;           // NumPy's ARRAY_ALIGN
constexpr size_t kGrowthAxisMaxDigits = 21;  // NumPy's GROWTH_AXIS_MAX_DIGITS
constexpr size_t kMaxRank = 64;              // NumPy's NPY_MAXDIMS (2.x)
// A name for the FormatErrors of NpyArray, which does not know its file.
constexpr const char* kArrayName = "npy array";

struct Descr {
  std::string_view text;
  ElementType type;
};

constexpr std::array<Descr, 11> kDescrs{{{"<f8", ElementType::kF64},
                                         {"<f4", ElementType::kF32},
                                         {"<f2", ElementType::kF16},
                                         {"<i8", ElementType::kI64},
                                         {"<i4", ElementType::kI32},
                                         {"<i2", ElementType::kI16},
                                         {"|i1", ElementType::kI8},
                                         {"<u4", ElementType::kU32},
                                         {"<u2", ElementType::kU16},
                                         {"|u1", ElementType::kU8},
                                         {"|b1", ElementType::kBool}}};

std::optional<ElementType> find_descr(std::string_view text) {
  auto it = std::find_if(kDescrs.begin(), kDescrs.end(), [&](const Descr& d) { return d.text == text; });
  if (it == kDescrs.end()) return std::nullopt;
  return it->type;
}

std::string unsupported_descr(std::string_view descr) {
  const std::string quoted = std::string(1, '\'').append(descr).append(1, '\'');
  if (descr.find('O') != std::string_view::npos) return "object dtype " + quoted + " needs pickle and is not supported";
  if (descr.starts_with('>')) return "big-endian dtype " + quoted + " is not supported";
  return "unsupported dtype " + quoted;
}

struct Header {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

// Parses the Python dict literal of an .npy header, exactly the subset NumPy writes:
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } plus padding.
class HeaderParser {
 public:
  HeaderParser(const InputFile& file, std::string_view text) : file_(file), text_(text) {}

  Header parse() {
    Header header;
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    expect('{');
    while (!consume('}')) {
      const std::string key = string_literal();
      expect(':');
      if (key == "descr" && !seen_descr) {
        if (peek() == '[') fail("structured dtypes are not supported");
        header.descr = string_literal();
        seen_descr = true;
      } else if (key == "fortran_order" && !seen_fortran) {
        header.fortran_order = boolean();
        seen_fortran = true;
      } else if (key == "shape" && !seen_shape) {
        header.shape = int_tuple();
        seen_shape = true;
      } else {
        fail("unexpected or repeated key '" + key + "' in the header dictionary");
      }
      if (!consume(',')) {
        expect('}');
        break;
      }
    }
    skip_space();
    if (position_ != text_.size()) fail("unexpected text after the header dictionary");
    if (!seen_descr || !seen_fortran || !seen_shape)
      fail("header dictionary lacks one of 'descr', 'fortran_order', 'shape'");
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { file_.fail("malformed header: " + message); }

  void skip_space() {
    while (position_ < text_.size() &&
           (text_[position_] == ' ' || text_[position_] == '\n' || text_[position_] == '\t'))
      ++position_;
  }
  char peek() {
    skip_space();
    return position_ < text_.size() ? text_[position_] : '\0';
  }
  bool consume(char c) {
    if (peek() != c) return false;
    ++position_;
    return true;
  }
  void expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "' at byte " + std::to_string(position_));
  }

  std::string string_literal() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a string at byte " + std::to_string(position_));
    const size_t close = text_.find(quote, position_ + 1);
    if (close == std::string_view::npos) fail("unterminated string");
    std::string value(text_.substr(position_ + 1, close - position_ - 1));
    if (value.find('\\') != std::string::npos) fail("escapes in strings are not supported");
    position_ = close + 1;
    return value;
  }

  bool boolean() {
    skip_space();
    for (auto [word, value] :
         {std::pair{std::string_view("True"), true}, std::pair{std::string_view("False"), false}}) {
      if (text_.substr(position_, word.size()) == word) {
        position_ += word.size();
        return value;
      }
    }
    fail("expected True or False at byte " + std::to_string(position_));
  }

  int64_t non_negative_integer() {
    skip_space();
    const size_t start = position_;
    int64_t value = 0;
    while (position_ < text_.size() && text_[position_] >= '0' && text_[position_] <= '9') {
      if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, text_[position_] - '0', &value))
        fail("dimension too large at byte " + std::to_string(start));
      ++position_;
    }
    if (position_ == start) fail("expected a non-negative integer at byte " + std::to_string(start));
    return value;
  }

  std::vector<int64_t> int_tuple() {
    std::vector<int64_t> values;
    expect('(');
    while (!consume(')')) {
      if (values.size() == kMaxRank) fail("shape has more than " + std::to_string(kMaxRank) + " dimensions");
      values.push_back(non_negative_integer());
      if (!consume(',')) {
        expect(')');
        break;
      }
    }
    return values;
  }

  const InputFile& file_;
  std::string_view text_;
  size_t position_ = 0;
};

// Python's repr of the shape tuple: "()", "(3,)", "(2, 3)".
std::string shape_repr(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s.append(i ? ", " : "").append(std::to_string(shape[i]));
  return s.append(shape.size() == 1 ? ",)" : ")");
}

// The complete v1.0 preamble (magic, version, length, padded dict) as NumPy 1.24 writes it.
std::string npy_preamble(std::string_view descr, const std::vector<int64_t>& shape) {
  std::string dict =
      "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': " + shape_repr(shape) + ", }";
  // NumPy leaves room to rewrite the first dimension in place with more digits.
  if (!shape.empty()) dict.append(kGrowthAxisMaxDigits - std::to_string(shape[0]).size(), ' ');
  const size_t prefix = kMagic.size() + 2 + 2;  // magic, version, u16 length
  const size_t with_newline = dict.size() + 1;
  const size_t padding = kArrayAlign - (prefix + with_newline) % kArrayAlign;
  const size_t length = with_newline + padding;
  std::string preamble(kMagic);
  preamble += {'\x01', '\x00', static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
  return preamble + dict + std::string(padding, ' ') + "\n";
}

void write_npy_data(const std::string& path, std::string_view descr, const std::vector<int64_t>& shape,
                    const void* data, size_t bytes) {
  const std::string preamble = npy_preamble(descr, shape);
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(preamble.data(), static_cast<std::streamsize>(preamble.size()));
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
  });
}

// The element type of `array` after checking that its bytes match its shape.
ElementType checked_type(const NpyArray& array) {
  auto type = find_descr(array.descr);
  if (!type) throw FormatError(kArrayName, unsupported_descr(array.descr));
  auto bytes = checked_byte_size(array.shape, *type);
  if (!bytes || *bytes != array.bytes.size())
    throw FormatError(kArrayName, "holds " + std::to_string(array.bytes.size()) + " bytes, which do not match shape " +
                                      shape_repr(array.shape) + " of dtype '" + array.descr + "'");
  return *type;
}

}  // namespace

Tensor NpyArray::to_tensor() const {
  const ElementType type = checked_type(*this);
  if (shape.size() > static_cast<size_t>(Shape::kMaxDims))
    throw FormatError(kArrayName, "shape " + shape_repr(shape) + " has more than " + std::to_string(Shape::kMaxDims) +
                                      " dimensions, the most a tensor has");
  Tensor tensor = Tensor::uninitialized(Shape(shape));
  convert_to_float(type, bytes.data(), static_cast<size_t>(tensor.numel()), tensor.data());
  return tensor;
}

std::vector<int64_t> NpyArray::to_int64() const {
  const ElementType type = checked_type(*this);
  if (!is_integral(type)) throw FormatError(kArrayName, "dtype '" + descr + "' is not an integer type");
  std::vector<int64_t> values(bytes.size() / element_size(type));
  convert_to_int64(type, bytes.data(), values.size(), values.data());
  return values;
}

namespace {

// Reads and checks the header of the .npy file open in `file`, leaving it at the data,
// whose size the header's shape and dtype must match exactly.
NpyHeader read_header(InputFile& file) {
  std::array<char, 8> magic_and_version;
  if (file.size() < magic_and_version.size()) file.fail("file is shorter than the .npy magic string");
  file.read(magic_and_version.data(), magic_and_version.size(), "magic string");
  if (std::string_view(magic_and_version.data(), kMagic.size()) != kMagic)
    file.fail("not an .npy file (bad magic string)");
  const int major = static_cast<unsigned char>(magic_and_version[6]);
  const int minor = static_cast<unsigned char>(magic_and_version[7]);
  if (major < 1 || major > 3 || minor != 0)
    file.fail("unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor));

  std::array<unsigned char, 4> length_bytes{};
  const size_t length_size = major == 1 ? 2 : 4;
  file.read(length_bytes.data(), length_size, "header length");
  uint64_t header_size = 0;
  for (size_t i = length_size; i-- > 0;) header_size = (header_size << 8) | length_bytes[i];
  if (header_size > kMaxHeaderSize)
    file.fail("header of " + std::to_string(header_size) + " bytes exceeds the limit of " +
              std::to_string(kMaxHeaderSize));
  const std::string text = file.read_text(header_size, "header");

  Header header = HeaderParser(file, text).parse();
  if (header.fortran_order) file.fail("Fortran-order arrays are not supported");
  auto type = find_descr(header.descr);
  if (!type) file.fail(unsupported_descr(header.descr));
  auto bytes = checked_byte_size(header.shape, *type);
  if (!bytes) file.fail("shape " + shape_repr(header.shape) + " overflows");
  if (*bytes > file.remaining())
    file.fail("data is truncated: shape " + shape_repr(header.shape) + " needs " + std::to_string(*bytes) +
              " bytes, the file holds " + std::to_string(file.remaining()));
  if (*bytes < file.remaining())
    file.fail(std::to_string(file.remaining() - *bytes) + " unexpected bytes after the data");
  return {std::move(header.descr), std::move(header.shape), *bytes};
}

}  // namespace

NpyHeader read_npy_header(const std::string& path) {
  InputFile file(path);
  return read_header(file);
}

NpyArray read_npy(const std::string& path) {
  InputFile file(path);
  NpyHeader header = read_header(file);
  NpyArray array{std::move(header.descr), std::move(header.shape), {}};
  array.bytes = file.read_bytes(header.data_bytes, "array data");
  return array;
}

void write_npy(const std::string& path, const Tensor& values) {
  if (!values.defined()) throw FormatError(path, "cannot write an undefined tensor");
  write_npy_data(path, "<f4", values.shape().to_vector(), values.data(),
                 static_cast<size_t>(values.numel()) * sizeof(float));
}

void write_npy(const std::string& path, const std::vector<int64_t>& values) {
  write_npy_data(path, "<i8", {static_cast<int64_t>(values.size())}, values.data(), values.size() * sizeof(int64_t));
}

}  // namespace sslflow::io
