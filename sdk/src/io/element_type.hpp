// Element types of tensors stored on disk (safetensors, .npy) and their conversion from
// little-endian bytes to the float32 and int64 values sslflow computes with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sslflow::io {

enum class ElementType { kF64, kF32, kF16, kBF16, kI64, kI32, kI16, kI8, kU32, kU16, kU8, kBool };

size_t element_size(ElementType type);
// Integers and bool: the types convert_to_int64 accepts.
bool is_integral(ElementType type);
// Bytes of an array of `shape` and `type`; nullopt for a negative dimension or a size
// that overflows int64.
std::optional<uint64_t> checked_byte_size(std::span<const int64_t> shape, ElementType type);

// Converts `count` elements stored little-endian at `src` into `dst`.
void convert_to_float(ElementType type, const unsigned char* src, size_t count, float* dst);  // dst: (count)
// Requires is_integral(type).
void convert_to_int64(ElementType type, const unsigned char* src, size_t count, int64_t* dst);  // dst: (count)

}  // namespace sslflow::io
