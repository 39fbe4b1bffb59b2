// Plain kernels for the indexing ops (gather, scatter, where, diagonal) and running sums.
//
// An op along one dimension views x as (outer, size, inner) (AxisView) and its index, of
// the same rank, as (outer, count, inner); every index is in [0, size), as the op checks
// before it calls a kernel. Forward kernels overwrite `out` (scatter's write into a copy of
// x); backward kernels accumulate (+=) into the gradient buffer.
#pragma once

#include <cstdint>

#include "kernels/shape_kernels.hpp"

namespace sslflow::kernels {

// out (outer, count, inner) = x[o, index[o, j, i], i]
void gather_forward(float* out, const float* x, const int64_t* index, const AxisView& x_view, int64_t count);
// dx[o, index[o, j, i], i] += dout[o, j, i]: gather's backward, and scatter_add's forward
// into a copy of x.
void gather_backward(float* dx, const float* dout, const int64_t* index, const AxisView& x_view, int64_t count);
// out[o, index[o, j, i], i] = src[o, j, i], in order of j: the last write wins.
void scatter_assign(float* out, const float* src, const int64_t* index, const AxisView& x_view, int64_t count);
// dx (outer, size, inner) += dout where no index writes, the part of scatter's output that
// still comes from x.
void scatter_backward_input(float* dx, const float* dout, const int64_t* index, const AxisView& x_view,
                            int64_t count);

// out (n) = condition != 0 ? a : b
void where_forward(float* out, const float* condition, const float* a, const float* b, int64_t n);
// da += condition != 0 ? dout : 0; db += condition == 0 ? dout : 0. A null da or db is skipped.
void where_backward(float* da, float* db, const float* dout, const float* condition, int64_t n);

// out (min(rows, cols)) = x (rows, cols) at [k, k]
void diagonal_forward(float* out, const float* x, int64_t rows, int64_t cols);
// dx (rows, cols) at [k, k] += dout[k]
void diagonal_backward(float* dx, const float* dout, int64_t rows, int64_t cols);

// out[o, j, i] = sum over k <= j of x[o, k, i]
void cumsum_forward(float* out, const float* x, const AxisView& view);
// dx[o, k, i] += sum over j >= k of dout[o, j, i]
void cumsum_backward(float* dx, const float* dout, const AxisView& view);

}  // namespace sslflow::kernels
