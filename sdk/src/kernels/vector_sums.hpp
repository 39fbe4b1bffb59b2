// Reductions shared by the kernels: vectorisable sums and dot products over contiguous
// floats, and a parallel loop whose per-chunk partial sums are added in a fixed order.
//
// Float addition is not associative, so the compiler cannot vectorise a plain running
// sum; sum() and dot() keep kLanes independent accumulators that it can.
#pragma once

#include <cstdint>
#include <functional>

namespace sslflow::kernels {

inline constexpr int64_t kLanes = 8;

// sum_i x[i]; x (n)
inline float sum(const float* x, int64_t n) {
  float acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) acc[l] += x[i + l];
  float total = 0.0f;
  for (; i < n; ++i) total += x[i];
  for (int64_t l = 0; l < kLanes; ++l) total += acc[l];
  return total;
}

// sum_i a[i] * b[i]; a, b (n)
inline float dot(const float* a, const float* b, int64_t n) {
  float acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) acc[l] += a[i + l] * b[i + l];
  float total = 0.0f;
  for (; i < n; ++i) total += a[i] * b[i];
  for (int64_t l = 0; l < kLanes; ++l) total += acc[l];
  return total;
}

// sum_i (a[i] - a_shift) * (b[i] - b_shift); a, b (n)
inline float centered_dot(const float* a, float a_shift, const float* b, float b_shift, int64_t n) {
  float acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) acc[l] += (a[i + l] - a_shift) * (b[i + l] - b_shift);
  float total = 0.0f;
  for (; i < n; ++i) total += (a[i] - a_shift) * (b[i] - b_shift);
  for (int64_t l = 0; l < kLanes; ++l) total += acc[l];
  return total;
}

struct SumAndDot {
  float sum, dot;
};

// {sum_i a[i], sum_i a[i] * (b[i] - b_shift)} in one pass; a, b (n)
inline SumAndDot sum_and_centered_dot(const float* a, const float* b, float b_shift, int64_t n) {
  float sums[kLanes] = {}, dots[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) {
      sums[l] += a[i + l];
      dots[l] += a[i + l] * (b[i + l] - b_shift);
    }
  SumAndDot total{0.0f, 0.0f};
  for (; i < n; ++i) {
    total.sum += a[i];
    total.dot += a[i] * (b[i] - b_shift);
  }
  for (int64_t l = 0; l < kLanes; ++l) {
    total.sum += sums[l];
    total.dot += dots[l];
  }
  return total;
}

// Splits [0, n) into chunks of `chunk` items and calls body(begin, end, partial) on each,
// in parallel, with its own zeroed partial (width); then adds the partials into out
// (width) in chunk order. The chunks do not depend on the thread count, so neither does
// the result.
void parallel_partial_sums(int64_t n, int64_t chunk, int64_t width, float* out,
                           const std::function<void(int64_t, int64_t, float*)>& body);

}  // namespace sslflow::kernels
