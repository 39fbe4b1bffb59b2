#include "kernels/linalg_kernels.hpp"

#include <algorithm>

#include "blas.hpp"
#include "kernels/reduce_kernels.hpp"
#include "parallel.hpp"

namespace sslflow::kernels {

namespace {

constexpr int64_t kGrain = int64_t{1} << 15;  // elements worth one task

// Runs body(i) for each matrix of a batch, the matrices in parallel when there are several.
template <class Body>
void for_each_matrix(int64_t batch, Body body) {
  detail::parallel_for(batch, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t i = b0; i < b1; ++i) body(i);
  });
}

}  // namespace

void matmul_forward(float* out, const float* a, const float* b, int64_t batch, int64_t m, int64_t k, int64_t n) {
  for_each_matrix(batch, [&](int64_t i) {
    detail::gemm(false, false, m, n, k, 1.0f, a + i * m * k, b + i * k * n, 0.0f, out + i * m * n);
  });
}

void matmul_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t batch,
                     int64_t m, int64_t k, int64_t n) {
  for_each_matrix(batch, [&](int64_t i) {
    const float* g = dout + i * m * n;  // (M, N)
    if (da) detail::gemm(false, true, m, k, n, 1.0f, g, b + i * k * n, 1.0f, da + i * m * k);
    if (db) detail::gemm(true, false, k, n, m, 1.0f, a + i * m * k, g, 1.0f, db + i * k * n);
  });
}

void linear_forward(float* out, const float* x, const float* weight, const float* bias, int64_t rows,
                    int64_t in_features, int64_t out_features) {
  detail::gemm(false, true, rows, out_features, in_features, 1.0f, x, weight, 0.0f, out);
  if (!bias) return;
  detail::parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(out_features, 1)),
                       [&](int64_t r0, int64_t r1) {
                         for (int64_t r = r0; r < r1; ++r) {
                           float* row = out + r * out_features;  // (O)
                           for (int64_t j = 0; j < out_features; ++j) row[j] += bias[j];
                         }
                       });
}

void linear_backward(float* dx, float* dweight, float* dbias, const float* dout, const float* x,
                     const float* weight, int64_t rows, int64_t in_features, int64_t out_features) {
  if (dx) detail::gemm(false, false, rows, in_features, out_features, 1.0f, dout, weight, 1.0f, dx);
  if (dweight) detail::gemm(true, false, out_features, in_features, rows, 1.0f, dout, x, 1.0f, dweight);
  if (dbias) sum_dim_accumulate(dbias, dout, 1, rows, out_features, 1.0f);
}

}  // namespace sslflow::kernels
