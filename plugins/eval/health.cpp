#include <algorithm>
#include <cmath>
#include <vector>

#include "evaluators.hpp"
#include "features.hpp"
#include "symmetric_eigenvalues.hpp"

namespace sslflow::eval {

namespace {

// Added to each normalised singular value before the entropy, as Garrido et al. 2023.
constexpr double kRankMeEps = 1e-7;
// Rows of z accumulated into the Gram matrix per pass over it.
constexpr int64_t kGramRows = 8;

// Z^T Z (D, D) of z (M, D), accumulated in double.
std::vector<double> gram(const Tensor& z) {
  const int64_t m = z.dim(0), d = z.dim(1);
  std::vector<double> g(static_cast<size_t>(d * d), 0.0);         // (D, D), upper triangle until mirrored
  std::vector<double> block(static_cast<size_t>(kGramRows * d));  // (kGramRows, D), zero past the last row
  for (int64_t r0 = 0; r0 < m; r0 += kGramRows) {
    const int64_t rows = std::min(kGramRows, m - r0);
    std::fill(block.begin(), block.end(), 0.0);
    std::copy_n(z.data() + r0 * d, rows * d, block.begin());
    for (int64_t i = 0; i < d; ++i) {
      double* out = g.data() + i * d;  // (D)
      for (int64_t r = 0; r < kGramRows; ++r) {
        const double a = block[size_t(r * d + i)];
        const double* b = block.data() + r * d;  // (D)
        for (int64_t j = i; j < d; ++j) out[j] += a * b[j];
      }
    }
  }
  for (int64_t i = 0; i < d; ++i)
    for (int64_t j = 0; j < i; ++j) g[size_t(i * d + j)] = g[size_t(j * d + i)];
  return g;
}

// exp(-sum p log p) with p_k = sigma_k / sum(sigma) + eps; 0 when every sigma is 0.
double rankme(const Tensor& z) {
  const std::vector<double> eigenvalues = symmetric_eigenvalues(gram(z), z.dim(1));
  std::vector<double> sigma(eigenvalues.size());
  double total = 0.0;
  for (size_t k = 0; k < sigma.size(); ++k) total += sigma[k] = std::sqrt(std::max(eigenvalues[k], 0.0));
  if (total == 0.0) return 0.0;
  double entropy = 0.0;
  for (double s : sigma) {
    const double p = s / total + kRankMeEps;
    entropy -= p * std::log(p);
  }
  return std::exp(entropy);
}

// Mean over dimensions of the unbiased standard deviation of the L2-normalised rows of z
// (F.normalize, eps 1e-12); two passes, which stay accurate when the rows nearly coincide.
double embedding_std(const Tensor& z) {
  const int64_t m = z.dim(0), d = z.dim(1);
  std::vector<double> inv_norm(static_cast<size_t>(m));
  std::vector<double> mean(static_cast<size_t>(d), 0.0);
  for (int64_t i = 0; i < m; ++i) {
    const float* row = z.data() + i * d;  // (D)
    double norm = 0.0;
    for (int64_t j = 0; j < d; ++j) norm += double(row[j]) * row[j];
    inv_norm[size_t(i)] = 1.0 / std::max(std::sqrt(norm), 1e-12);
    for (int64_t j = 0; j < d; ++j) mean[size_t(j)] += row[j] * inv_norm[size_t(i)];
  }
  for (double& v : mean) v /= double(m);
  std::vector<double> sum_sq(static_cast<size_t>(d), 0.0);
  for (int64_t i = 0; i < m; ++i) {
    const float* row = z.data() + i * d;  // (D)
    for (int64_t j = 0; j < d; ++j) {
      const double c = row[j] * inv_norm[size_t(i)] - mean[size_t(j)];
      sum_sq[size_t(j)] += c * c;
    }
  }
  double total = 0.0;
  for (double s : sum_sq) total += std::sqrt(s / double(m - 1));
  return total / double(d);
}

}  // namespace

Schema Health::schema() { return {}; }

Health::Health(const Params&) {}

Metrics Health::evaluate(const FeatureSplits& features, uint64_t) const {
  check_features("health", "test features", features.test, 2);
  const double spread = embedding_std(features.test);
  return {
      {"rankme", rankme(features.test)},
      {"embedding_std", spread},
      {"embedding_std_ratio", spread * std::sqrt(double(features.test.dim(1)))},
  };
}

}  // namespace sslflow::eval
