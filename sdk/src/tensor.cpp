#include "sslflow/tensor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "sslflow/error.hpp"
#include "sslflow/memory.hpp"

namespace sslflow {

namespace {

constexpr size_t kAlignment = 64;

// Storage for `shape`, 64-byte aligned. A size beyond the machine's memory, or one the
// allocator refuses, is a ShapeError naming the shape, not a std::bad_alloc.
std::shared_ptr<float[]> allocate(const Shape& shape) {
  const auto count = static_cast<uint64_t>(shape.numel());
  const uint64_t memory = physical_memory_bytes();
  if (count > memory / sizeof(float))
    throw ShapeError("a tensor of shape " + shape.str() + " needs " + gib_text(static_cast<double>(count) * sizeof(float)) +
                     ", more than the " + gib_text(static_cast<double>(memory)) + " of memory this machine has");
  size_t bytes = std::max<size_t>(count * sizeof(float), kAlignment);
  bytes = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  void* p = std::aligned_alloc(kAlignment, bytes);
  if (!p)
    throw ShapeError("cannot allocate a tensor of shape " + shape.str() + " (" + gib_text(static_cast<double>(bytes)) +
                     "): out of memory");
  return std::shared_ptr<float[]>(static_cast<float*>(p), [](float* q) { std::free(q); });
}

}  // namespace

Shape::Shape(std::initializer_list<int64_t> dims) : Shape(std::span<const int64_t>(dims.begin(), dims.size())) {}

Shape::Shape(std::span<const int64_t> dims) {
  if (dims.size() > static_cast<size_t>(kMaxDims))
    throw ShapeError("a tensor has at most " + std::to_string(kMaxDims) + " dimensions, got " +
                     std::to_string(dims.size()));
  std::copy(dims.begin(), dims.end(), dims_.begin());
  rank_ = static_cast<int>(dims.size());
  int64_t count = 1;
  for (int64_t d : dims) {
    if (d < 0) throw ShapeError("negative dimension " + std::to_string(d) + " in a shape");
    if (__builtin_mul_overflow(count, d, &count)) throw ShapeError("shape " + str() + " has more than 2^63 elements");
  }
}

int Shape::axis(int i, const char* op) const {
  int a = i < 0 ? i + rank_ : i;
  if (a < 0 || a >= rank_)
    throw ShapeError(std::string(op) + ": axis " + std::to_string(i) + " is out of range for shape " + str());
  return a;
}

int64_t Shape::operator[](int i) const { return dims_[axis(i)]; }

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int i = 0; i < rank_; ++i) n *= dims_[i];
  return n;
}

std::string Shape::str() const {
  std::string s = "[";
  for (int i = 0; i < rank_; ++i) s += (i ? ", " : "") + std::to_string(dims_[i]);
  return s + "]";
}

bool operator==(const Shape& a, const Shape& b) {
  return a.rank_ == b.rank_ && std::equal(a.begin(), a.end(), b.begin());
}

Tensor::Tensor(Shape shape) : shape_(shape), storage_(allocate(shape)) {
  std::memset(storage_.get(), 0, sizeof(float) * shape.numel());
}

Tensor::Tensor(Shape shape, std::span<const float> values) : shape_(shape), storage_(allocate(shape)) {
  if (static_cast<int64_t>(values.size()) != shape.numel())
    throw ShapeError("tensor of shape " + shape.str() + " needs " + std::to_string(shape.numel()) +
                     " values, got " + std::to_string(values.size()));
  std::copy(values.begin(), values.end(), storage_.get());
}

Tensor Tensor::full(Shape shape, float value) {
  Tensor t = uninitialized(shape);
  t.fill(value);
  return t;
}

Tensor Tensor::uninitialized(Shape shape) {
  Tensor t;
  t.shape_ = shape;
  t.storage_ = allocate(shape);
  return t;
}

float Tensor::item() const {
  if (numel() != 1) throw ShapeError("item(): tensor of shape " + shape_.str() + " has more than one element");
  return data()[0];
}

Tensor Tensor::reshape(Shape shape) const {
  if (shape.numel() != numel())
    throw ShapeError("reshape: cannot view shape " + shape_.str() + " as " + shape.str());
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::rows(int64_t begin, int64_t end) const {
  if (rank() == 0 || begin < 0 || end < begin || end > shape_[0])
    throw ShapeError("rows(" + std::to_string(begin) + ", " + std::to_string(end) + "): out of range for shape " +
                     shape_.str());
  std::vector<int64_t> dims = shape_.to_vector();
  int64_t row = dims[0] == 0 ? 0 : numel() / dims[0];
  dims[0] = end - begin;
  Tensor t = *this;
  t.shape_ = Shape(dims);
  t.offset_ = offset_ + begin * row;
  return t;
}

Tensor Tensor::clone() const {
  if (!defined()) return {};
  Tensor t = uninitialized(shape_);
  std::memcpy(t.data(), data(), sizeof(float) * numel());
  return t;
}

void Tensor::fill(float value) { std::fill_n(data(), numel(), value); }

void Tensor::copy_from(const Tensor& other) {
  if (other.numel() != numel())
    throw ShapeError("copy_from: shape " + other.shape().str() + " into shape " + shape_.str());
  std::memcpy(data(), other.data(), sizeof(float) * numel());
}

void expect_shape(const char* op, const Shape& shape, const Shape& expected) {
  if (!(shape == expected))
    throw ShapeError(std::string(op) + ": expected shape " + expected.str() + ", got " + shape.str());
}

std::string first_nonfinite(const Tensor& t) {
  const std::span<const float> data = t.values();
  for (size_t k = 0; k < data.size(); ++k)
    if (!std::isfinite(data[k]))
      return std::string(std::isnan(data[k]) ? "nan" : data[k] > 0 ? "inf" : "-inf") + " at index " + std::to_string(k);
  return "";
}

}  // namespace sslflow
