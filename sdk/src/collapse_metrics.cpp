#include "sslflow/collapse_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace sslflow {

Metrics collapse_metrics(const Tensor& z) {
  const int64_t batch = z.dim(0), dim = z.dim(1);
  std::vector<double> sum(static_cast<size_t>(dim)), sum_sq(static_cast<size_t>(dim));  // (D)
  for (int64_t b = 0; b < batch; ++b) {
    const float* row = z.data() + b * dim;  // (D)
    double norm_sq = 0.0;
    for (int64_t d = 0; d < dim; ++d) norm_sq += double(row[d]) * row[d];
    const double inv_norm = 1.0 / std::max(std::sqrt(norm_sq), 1e-12);
    for (int64_t d = 0; d < dim; ++d) {
      const double u = row[d] * inv_norm;
      sum[d] += u;
      sum_sq[d] += u * u;
    }
  }
  const double denominator = static_cast<double>(std::max<int64_t>(batch - 1, 1));
  double std_total = 0.0;
  for (int64_t d = 0; d < dim; ++d) {
    const double mean = sum[d] / static_cast<double>(batch);
    const double var = (sum_sq[d] - static_cast<double>(batch) * mean * mean) / denominator;
    std_total += std::sqrt(std::max(var, 0.0));
  }
  const double collapse_std = std_total / static_cast<double>(dim);
  return {{"collapse_std", collapse_std}, {"z_std_ratio", collapse_std * std::sqrt(static_cast<double>(dim))}};
}

}  // namespace sslflow
