// Plain kernels for softmax, log-softmax and cross-entropy, and the row helpers that
// attention shares with them.
//
// A softmax along one dimension views its tensor as (outer, size, inner) (see
// shape_kernels.hpp); when inner is 1 each softmax runs over a contiguous row. Every
// softmax subtracts the maximum first, so large logits do not overflow. Forward kernels
// overwrite their outputs; backward kernels accumulate (+=) into the gradient buffers.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/fast_exp.hpp"

namespace sslflow::kernels {

// Sum of x (n), in eight interleaved partial sums so that the loop vectorises.
inline float row_sum(const float* x, int64_t n) {
  float acc[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) acc[k] += x[i + k];
  for (; i < n; ++i) acc[0] += x[i];
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

// Sum of a[i] * b[i] over n, as row_sum.
inline float row_dot(const float* a, const float* b, int64_t n) {
  float acc[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) acc[k] += a[i + k] * b[i + k];
  for (; i < n; ++i) acc[0] += a[i] * b[i];
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

inline float row_max(const float* x, int64_t n) {
  float m = x[0];
  for (int64_t i = 1; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

// log(sum(exp(x))) over x (n), n > 0; leaves exp(x - max(x)) in work (n).
inline float log_sum_exp_row(const float* x, float* work, int64_t n) {
  const float m = row_max(x, n);
  for (int64_t i = 0; i < n; ++i) work[i] = fast_exp(x[i] - m);
  return m + std::log(row_sum(work, n));
}

// y = softmax(x) over one row; y (n) may be x (n).
inline void softmax_row(float* y, const float* x, int64_t n) {
  const float m = row_max(x, n);
  for (int64_t i = 0; i < n; ++i) y[i] = fast_exp(x[i] - m);
  const float inv = 1.0f / row_sum(y, n);
  for (int64_t i = 0; i < n; ++i) y[i] *= inv;
}

// out = softmax(x) along the middle axis. out, x (outer, size, inner).
void softmax_forward(float* out, const float* x, int64_t outer, int64_t size, int64_t inner);
// dx += y * (dout - sum(dout * y)) along the middle axis, with y the forward output.
// dx, dout, y (outer, size, inner).
void softmax_backward(float* dx, const float* dout, const float* y, int64_t outer, int64_t size, int64_t inner);

// out = x - log(sum(exp(x))) along the middle axis. out, x (outer, size, inner).
void log_softmax_forward(float* out, const float* x, int64_t outer, int64_t size, int64_t inner);
// dx += dout - exp(y) * sum(dout) along the middle axis, with y the forward output.
// dx, dout, y (outer, size, inner).
void log_softmax_backward(float* dx, const float* dout, const float* y, int64_t outer, int64_t size,
                          int64_t inner);

// losses[i] = log(sum(exp(logits[i]))) - logits[i][labels[i]], and that log-sum-exp in
// lse[i], which the backward reuses. Labels must be in [0, classes).
// losses (n), lse (n), logits (n, classes), labels (n).
void cross_entropy_forward(float* losses, float* lse, const float* logits, const int64_t* labels, int64_t n,
                           int64_t classes);
// dlogits[i] += weights[i] * (softmax(logits[i]) - onehot(labels[i])).
// dlogits (n, classes), weights (n), logits (n, classes), lse (n), labels (n).
void cross_entropy_backward(float* dlogits, const float* weights, const float* logits, const float* lse,
                            const int64_t* labels, int64_t n, int64_t classes);

}  // namespace sslflow::kernels
