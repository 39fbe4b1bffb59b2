// Plain element-wise kernels: contiguous float arrays of n, or two operands broadcast
// against each other (NumPy rules) through a BroadcastLayout.
//
// Forward kernels overwrite `out`; backward kernels accumulate (+=) into their gradient
// buffers, and a null gradient pointer skips that input. Large loops are split across
// TBB workers inside the kernels; callers pass buffers that no other thread writes.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

#include "kernels/fast_exp.hpp"
#include "sslflow/tensor.hpp"

namespace sslflow::kernels {

// a[i] += b[i]
inline void add_inplace(float* a, const float* b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) a[i] += b[i];
}

// a[i] += s * b[i]
inline void axpy(float* a, float s, const float* b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) a[i] += s * b[i];
}

// ---- broadcast binary ops ---------------------------------------------------------------

// How two operands a and b index into their broadcast output. Output dimensions of size 1
// are dropped and neighbours that broadcast alike are merged, so operands of one shape
// become a single run of numel elements and (B, D) against (D) becomes [B, D] with
// b_stride {0, 1}. The innermost stride of each operand is 0 or 1.
struct BroadcastLayout {
  int rank = 1;
  int64_t size[Shape::kMaxDims] = {1, 1, 1, 1};      // output extent of each merged dimension
  int64_t a_stride[Shape::kMaxDims] = {0, 0, 0, 0};  // 0 where a is broadcast
  int64_t b_stride[Shape::kMaxDims] = {0, 0, 0, 0};  // 0 where b is broadcast

  int64_t numel() const;
};

// The layout of a and b broadcast to `out`, which must be their broadcast shape.
BroadcastLayout broadcast_layout(const Shape& a, const Shape& b, const Shape& out);

// out (l) = a (l) op b (l)
void add_forward(float* out, const float* a, const float* b, const BroadcastLayout& l);
void sub_forward(float* out, const float* a, const float* b, const BroadcastLayout& l);
void mul_forward(float* out, const float* a, const float* b, const BroadcastLayout& l);
void div_forward(float* out, const float* a, const float* b, const BroadcastLayout& l);

// da (a's shape), db (b's shape) += dout (l) summed over the positions each was broadcast to.
void add_backward(float* da, float* db, const float* dout, const BroadcastLayout& l);
void sub_backward(float* da, float* db, const float* dout, const BroadcastLayout& l);
void mul_backward(float* da, float* db, const float* dout, const float* a, const float* b, const BroadcastLayout& l);
void div_backward(float* da, float* db, const float* dout, const float* a, const float* b, const BroadcastLayout& l);

// ---- unary ops on n elements --------------------------------------------------------------
// Backward kernels read what their derivative needs: the input x or the output y.

// y = x + s; backward is add_inplace
void add_scalar_forward(float* y, const float* x, float s, int64_t n);
// y = s * x; dx += s * dy
void scale_forward(float* y, const float* x, float s, int64_t n);
void scale_backward(float* dx, const float* dy, float s, int64_t n);
// y = max(x, 0)
void relu_forward(float* y, const float* x, int64_t n);
void relu_backward(float* dx, const float* dy, const float* y, int64_t n);
// y = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))
void gelu_forward(float* y, const float* x, int64_t n);
void gelu_backward(float* dx, const float* dy, const float* x, int64_t n);
void exp_forward(float* y, const float* x, int64_t n);
void exp_backward(float* dx, const float* dy, const float* y, int64_t n);
void log_forward(float* y, const float* x, int64_t n);
void log_backward(float* dx, const float* dy, const float* x, int64_t n);
void sqrt_forward(float* y, const float* x, int64_t n);
void sqrt_backward(float* dx, const float* dy, const float* y, int64_t n);
void square_forward(float* y, const float* x, int64_t n);
void square_backward(float* dx, const float* dy, const float* x, int64_t n);

}  // namespace sslflow::kernels
