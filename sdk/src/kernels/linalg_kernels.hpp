// Matrix-product kernels: matmul (plain and batched) and linear layers, all through
// detail::gemm. Backward kernels accumulate (+=); a null gradient pointer skips that input.
// The products split into row blocks run as TBB tasks inside detail::gemm.
#pragma once

#include <cstdint>

namespace sslflow::kernels {

// out (B, M, N) = a (B, M, K) b (B, K, N); B = 1 for plain matrices.
void matmul_forward(float* out, const float* a, const float* b, int64_t batch, int64_t m, int64_t k, int64_t n);
// da (B, M, K) += dout b^T; db (B, K, N) += a^T dout.
void matmul_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t batch,
                     int64_t m, int64_t k, int64_t n);

// out (R, O) = x (R, I) weight (O, I)^T + bias (O); bias may be null.
void linear_forward(float* out, const float* x, const float* weight, const float* bias, int64_t rows,
                    int64_t in_features, int64_t out_features);
// dx (R, I) += dout weight; dweight (O, I) += dout^T x; dbias (O) += column sums of dout (R, O).
void linear_backward(float* dx, float* dweight, float* dbias, const float* dout, const float* x,
                     const float* weight, int64_t rows, int64_t in_features, int64_t out_features);

}  // namespace sslflow::kernels
