#include "vicreg_terms.hpp"

#include "off_diagonal.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::vicreg {

namespace {

// The official code's epsilon under the square root of the variance.
constexpr float kVarianceEpsilon = 1e-4f;

// mean_j relu(1 - sqrt(Var_j(z) + eps)) for z (N, D).
Var variance_hinge(const Var& z) {
  const Var std_dev = sqrt(add(var(z, 0), kVarianceEpsilon));  // (D)
  return mean(relu(add(neg(std_dev), 1.0f)));
}

// sum_{i != j} Cov(z)_ij^2 / D for z (N, D).
Var covariance_penalty(const std::string& method, const Var& z) {
  const int64_t rows = z.shape()[0], dim = z.shape()[1];
  const Var centred = sub(z, mean(z, 0, /*keepdim=*/true));  // (N, D)
  const Var covariance =
      mul(matmul(transpose(centred, 0, 1), centred), 1.0f / static_cast<float>(rows - 1));  // (D, D)
  return mul(off_diagonal_square_sum(method, covariance), 1.0f / static_cast<float>(dim));
}

}  // namespace

Terms loss_terms(const std::string& method, const Var& z1, const Var& z2) {
  return {mse_loss(z1, z2), mul(add(variance_hinge(z1), variance_hinge(z2)), 0.5f),
          add(covariance_penalty(method, z1), covariance_penalty(method, z2))};
}

}  // namespace sslflow::vicreg
