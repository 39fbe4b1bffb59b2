#include "sinkhorn.hpp"

#include <cmath>
#include <vector>

namespace sslflow::swav {

Tensor sinkhorn_codes(const Tensor& scores, double epsilon, int iterations) {
  const int64_t n = scores.shape()[0], k = scores.shape()[1];
  std::vector<double> q(static_cast<size_t>(n * k));  // q[i * k + j]: Q^T, sample i, prototype j
  double total = 0.0;
  for (int64_t i = 0; i < n * k; ++i) total += q[i] = std::exp(scores.data()[i] / epsilon);
  for (double& v : q) v /= total;
  std::vector<double> prototype_sums(static_cast<size_t>(k));
  for (int it = 0; it < iterations; ++it) {
    std::fill(prototype_sums.begin(), prototype_sums.end(), 0.0);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j) prototype_sums[j] += q[i * k + j];
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j) q[i * k + j] /= prototype_sums[j] * static_cast<double>(k);
    for (int64_t i = 0; i < n; ++i) {
      double sample_sum = 0.0;
      for (int64_t j = 0; j < k; ++j) sample_sum += q[i * k + j];
      for (int64_t j = 0; j < k; ++j) q[i * k + j] /= sample_sum * static_cast<double>(n);
    }
  }
  Tensor codes(Shape{n, k});
  for (int64_t i = 0; i < n * k; ++i) codes.data()[i] = static_cast<float>(q[i] * static_cast<double>(n));
  return codes;
}

}  // namespace sslflow::swav
