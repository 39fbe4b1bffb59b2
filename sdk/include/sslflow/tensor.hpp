// Tensor: a float32, row-major, contiguous array of up to four dimensions.
//
// A Tensor is a cheap handle: copies share storage (like torch.Tensor), and reshape() and
// rows() return views of the same storage. clone() makes an independent copy. Storage is
// 64-byte aligned. A default-constructed Tensor is undefined (defined() is false); a
// rank-0 tensor (Shape{}) is a scalar with one element. A shape whose element count does
// not fit in int64_t, and a tensor larger than the machine's physical memory or than the
// allocator grants, throw ShapeError naming the shape (never std::bad_alloc).
//
// Thread safety: distinct tensors may be used from any thread; writing a tensor while
// another thread reads it is a data race, as for any plain array.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sslflow/export.hpp"

namespace sslflow {

class SSLFLOW_EXPORT Shape {
 public:
  static constexpr int kMaxDims = 4;

  Shape() = default;  // rank 0: a scalar
  Shape(std::initializer_list<int64_t> dims);
  explicit Shape(std::span<const int64_t> dims);

  int rank() const { return rank_; }
  // Dimension i; negative i counts from the end. Throws ShapeError when out of range.
  int64_t operator[](int i) const;
  int64_t numel() const;
  const int64_t* begin() const { return dims_.data(); }
  const int64_t* end() const { return dims_.data() + rank_; }
  std::vector<int64_t> to_vector() const { return {begin(), end()}; }
  // A non-negative axis index for i; throws ShapeError naming `op` when out of range.
  int axis(int i, const char* op = "axis") const;
  std::string str() const;  // "[2, 3]"

  friend bool operator==(const Shape& a, const Shape& b);

 private:
  std::array<int64_t, kMaxDims> dims_{};
  int rank_ = 0;
};

class SSLFLOW_EXPORT Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape);  // zero-filled
  Tensor(Shape shape, std::span<const float> values);

  static Tensor zeros(Shape shape) { return Tensor(shape); }
  static Tensor full(Shape shape, float value);
  static Tensor scalar(float value) { return full(Shape{}, value); }
  // Storage without zero-filling, for kernels that overwrite every element.
  static Tensor uninitialized(Shape shape);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int rank() const { return shape_.rank(); }
  int64_t dim(int i) const { return shape_[i]; }
  int64_t numel() const { return shape_.numel(); }

  float* data() { return storage_.get() + offset_; }
  const float* data() const { return storage_.get() + offset_; }
  std::span<float> values() { return {data(), static_cast<size_t>(numel())}; }
  std::span<const float> values() const { return {data(), static_cast<size_t>(numel())}; }
  float item() const;  // the single element of a one-element tensor

  // A view with a new shape and the same number of elements.
  Tensor reshape(Shape shape) const;
  // A view of rows [begin, end) along dimension 0.
  Tensor rows(int64_t begin, int64_t end) const;
  Tensor clone() const;
  void fill(float value);
  // Copies values from a tensor of the same number of elements into this one's storage.
  void copy_from(const Tensor& other);
  // True when this handle is the only owner of its storage.
  bool unique() const { return storage_.use_count() == 1; }

 private:
  Shape shape_;
  std::shared_ptr<float[]> storage_;
  int64_t offset_ = 0;
};

// Throws ShapeError "op: expected <expected>, got <shape>" unless shape == expected.
SSLFLOW_EXPORT void expect_shape(const char* op, const Shape& shape, const Shape& expected);

// "nan at index 3" (or "inf", "-inf") for the first element of `t` that is not finite;
// empty when every element is finite.
SSLFLOW_EXPORT std::string first_nonfinite(const Tensor& t);

}  // namespace sslflow
