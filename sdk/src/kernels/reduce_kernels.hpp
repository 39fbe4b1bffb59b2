// Reduction kernels: sums, means and L2 norms along one dimension, and the two ops built
// on norms (l2_normalize, cosine_similarity).
//
// A tensor reduced along dimension `dim` is viewed as (outer, n, inner): outer is the
// product of the dimensions before dim, n its extent, inner the product after it. Sums run
// in fixed-size chunks whose partial totals are added in a fixed order, so results do not
// depend on the thread count. Backward kernels accumulate (+=). Loops are split across TBB
// workers inside the kernels.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "parallel.hpp"
#include "sslflow/tensor.hpp"

namespace sslflow::kernels {

// A shape seen as (outer, n, inner) around the non-negative axis `axis`.
struct DimView {
  int64_t outer = 1;
  int64_t n = 1;
  int64_t inner = 1;
};
DimView dim_view(const Shape& shape, int axis);
// The shape with `axis` removed, or kept with extent 1.
Shape reduced_shape(const Shape& shape, int axis, bool keepdim);

// Sums of term(i) in float lanes, which the compiler vectorises, with the lanes and the
// tail added in double.
template <class Term>
double lane_sum(int64_t begin, int64_t end, Term term) {
  constexpr int kLanes = 16;
  float lanes[kLanes] = {};
  int64_t i = begin;
  for (; i + kLanes <= end; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lanes[j] += term(i + j);
  double total = 0.0;
  for (; i < end; ++i) total += term(i);
  for (float lane : lanes) total += lane;
  return total;
}

// Sum of term(i) for i in [0, n): lane sums of fixed chunks, in parallel, added in order.
template <class Term>
double chunked_sum(int64_t n, Term term) {
  constexpr int64_t kChunk = 4096;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> partial(static_cast<size_t>(chunks));
  detail::parallel_for(chunks, 4, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c)
      partial[static_cast<size_t>(c)] = lane_sum(c * kChunk, std::min(n, (c + 1) * kChunk), term);
  });
  double total = 0.0;
  for (double p : partial) total += p;
  return total;
}

// scale * sum of x (n)
float sum_all_forward(const float* x, int64_t n, float scale);

// out (outer, inner) += scale * sum over k of x (outer, n, inner)
void sum_dim_accumulate(float* out, const float* x, int64_t outer, int64_t n, int64_t inner, float scale);
// dx (outer, n, inner) += scale * dout (outer, inner), the backward of sum, mean and sum_all
void sum_dim_backward(float* dx, const float* dout, int64_t outer, int64_t n, int64_t inner, float scale);

// y (outer, n, inner) = x / d with d (outer, inner) = max(||x||_2 over n, eps); writes d.
void l2_normalize_forward(float* y, float* d, const float* x, int64_t outer, int64_t n, int64_t inner, float eps);
// dx (outer, n, inner) += (dy - y <dy, y>) / d, or dy / d where the norm was clamped (d <= eps).
void l2_normalize_backward(float* dx, const float* dy, const float* y, const float* d, int64_t outer, int64_t n,
                           int64_t inner, float eps);

// out (outer, inner) = <a / da, b / db> over n, with da, db (outer, inner) = max(||.||_2, eps)
// per vector (PyTorch 1.13's F.cosine_similarity); writes da and db.
void cosine_similarity_forward(float* out, float* da, float* db, const float* a, const float* b, int64_t outer,
                               int64_t n, int64_t inner, float eps);
// With u = a / da, v = b / db and s = out: grad_a (outer, n, inner) += g (v - s u) / da and
// grad_b += g (u - s v) / db. Null grad_a or grad_b is skipped.
void cosine_similarity_backward(float* grad_a, float* grad_b, const float* dout, const float* out, const float* a,
                                const float* b, const float* da, const float* db, int64_t outer, int64_t n,
                                int64_t inner);

}  // namespace sslflow::kernels
