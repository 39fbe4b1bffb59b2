// Plain kernels for the shape ops: transpose, concat, slice and index_select.
//
// Tensors are contiguous and row-major. An op along one dimension views its tensor as
// (outer, size, inner): `outer` is the product of the dimensions before it, `inner` the
// product of those after it. Forward kernels overwrite `out`; backward kernels accumulate
// (+=) into the gradient buffer. Loops run in parallel over `outer` where it pays.
#pragma once

#include <array>
#include <cstdint>

#include "sslflow/tensor.hpp"

namespace sslflow::kernels {

// A tensor seen as (outer, size, inner) around one axis.
struct AxisView {
  int64_t outer = 1;
  int64_t size = 1;
  int64_t inner = 1;
};
// The view of `shape` around `axis` (non-negative, < rank).
AxisView view_around(const Shape& shape, int axis);
// `shape` with the extent of `axis` replaced by `extent`.
Shape with_extent(const Shape& shape, int axis, int64_t extent);

// A shape of at most four dimensions, padded on the left with ones to exactly four.
using Dims4 = std::array<int64_t, 4>;
Dims4 pad_to_4d(const Shape& shape);

// out = x with dimensions a and b (of the padded shape) swapped.
// x (dims), out (dims with a and b swapped).
void transpose_forward(float* out, const float* x, const Dims4& dims, int a, int b);
// dx += dout with dimensions a and b swapped back.
// dx (dims), dout (dims with a and b swapped).
void transpose_backward(float* dx, const float* dout, const Dims4& dims, int a, int b);

// out = x[:, start:start + len, :].
// out (outer, len, inner), x (outer, size, inner).
void slice_forward(float* out, const float* x, int64_t outer, int64_t size, int64_t start, int64_t len,
                   int64_t inner);
// dx[:, start:start + len, :] += dout.
// dx (outer, size, inner), dout (outer, len, inner).
void slice_backward(float* dx, const float* dout, int64_t outer, int64_t size, int64_t start, int64_t len,
                    int64_t inner);

// out[:, start:start + len, :] = x: places one input of a concatenation.
// out (outer, size, inner), x (outer, len, inner).
void concat_forward(float* out, const float* x, int64_t outer, int64_t size, int64_t start, int64_t len,
                    int64_t inner);
// dx += dout[:, start:start + len, :]: the gradient of one input of a concatenation.
// dx (outer, len, inner), dout (outer, size, inner).
void concat_backward(float* dx, const float* dout, int64_t outer, int64_t size, int64_t start, int64_t len,
                     int64_t inner);

// out[:, j, :] = x[:, index[j], :]; every index is in [0, size).
// out (outer, count, inner), x (outer, size, inner), index (count).
void index_select_forward(float* out, const float* x, const int64_t* index, int64_t count, int64_t outer,
                          int64_t size, int64_t inner);
// dx[:, index[j], :] += dout[:, j, :]; repeated indices add up.
// dx (outer, size, inner), dout (outer, count, inner), index (count).
void index_select_backward(float* dx, const float* dout, const int64_t* index, int64_t count, int64_t outer,
                           int64_t size, int64_t inner);

}  // namespace sslflow::kernels
