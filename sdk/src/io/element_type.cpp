#include "io/element_type.hpp"

#include <bit>
#include <cmath>
#include <cstring>

#include "sslflow/error.hpp"

namespace sslflow::io {

static_assert(std::endian::native == std::endian::little,
              "the stored formats are little-endian and are read without byte swapping");

namespace {

template <class T>
T load(const unsigned char* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

// IEEE 754 binary16 -> binary32, exact for every input including subnormals, inf and NaN.
float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h >> 15) << 31;
  const uint32_t exponent = (h >> 10) & 0x1f;
  const uint32_t mantissa = h & 0x3ff;
  if (exponent == 0) {
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

float bfloat16_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

template <class Stored, class Out, class Decode>
void decode_all(const unsigned char* src, size_t count, Out* dst, Decode decode) {
  for (size_t i = 0; i < count; ++i) dst[i] = static_cast<Out>(decode(load<Stored>(src + i * sizeof(Stored))));
}

template <class Out>
void convert(ElementType type, const unsigned char* src, size_t count, Out* dst) {
  auto same = [](auto v) { return v; };
  switch (type) {
    case ElementType::kF64: return decode_all<double>(src, count, dst, same);
    case ElementType::kF32: return decode_all<float>(src, count, dst, same);
    case ElementType::kF16: return decode_all<uint16_t>(src, count, dst, half_to_float);
    case ElementType::kBF16: return decode_all<uint16_t>(src, count, dst, bfloat16_to_float);
    case ElementType::kI64: return decode_all<int64_t>(src, count, dst, same);
    case ElementType::kI32: return decode_all<int32_t>(src, count, dst, same);
    case ElementType::kI16: return decode_all<int16_t>(src, count, dst, same);
    case ElementType::kI8: return decode_all<int8_t>(src, count, dst, same);
    case ElementType::kU32: return decode_all<uint32_t>(src, count, dst, same);
    case ElementType::kU16: return decode_all<uint16_t>(src, count, dst, same);
    case ElementType::kU8: return decode_all<uint8_t>(src, count, dst, same);
    case ElementType::kBool: return decode_all<uint8_t>(src, count, dst, [](uint8_t b) { return b != 0; });
  }
}

}  // namespace

size_t element_size(ElementType type) {
  switch (type) {
    case ElementType::kF64:
    case ElementType::kI64: return 8;
    case ElementType::kF32:
    case ElementType::kI32:
    case ElementType::kU32: return 4;
    case ElementType::kF16:
    case ElementType::kBF16:
    case ElementType::kI16:
    case ElementType::kU16: return 2;
    case ElementType::kI8:
    case ElementType::kU8:
    case ElementType::kBool: return 1;
  }
  return 0;
}

bool is_integral(ElementType type) {
  return type != ElementType::kF64 && type != ElementType::kF32 && type != ElementType::kF16 &&
         type != ElementType::kBF16;
}

std::optional<uint64_t> checked_byte_size(std::span<const int64_t> shape, ElementType type) {
  int64_t bytes = static_cast<int64_t>(element_size(type));
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(bytes, d, &bytes)) return std::nullopt;
  return static_cast<uint64_t>(bytes);
}

void convert_to_float(ElementType type, const unsigned char* src, size_t count, float* dst) {
  convert(type, src, count, dst);
}

void convert_to_int64(ElementType type, const unsigned char* src, size_t count, int64_t* dst) {
  SSLFLOW_ASSERT(is_integral(type), "convert_to_int64 called for a floating-point element type");
  convert(type, src, count, dst);
}

}  // namespace sslflow::io
