// The three terms of the VICReg loss (Bardes, Ponce & LeCun 2022) for two batches of
// embeddings z1, z2 (N, D), each as facebookresearch/vicreg main_vicreg.py's
// VICReg.forward computes it:
//
//   invariance  F.mse_loss(z1, z2): the mean squared difference over all N * D entries
//   variance    (v(z1) + v(z2)) / 2, v(z) = mean_j relu(1 - sqrt(Var_j(z) + 1e-4)), the
//               unbiased variance of each coordinate j over the batch; its largest value,
//               1 - sqrt(1e-4) = 0.99, belongs to a collapsed batch (every Var_j = 0)
//   covariance  c(z1) + c(z2), c(z) = sum_{i != j} C_ij^2 / D, C = (z - mean(z))^T
//               (z - mean(z)) / (N - 1), the unbiased covariance of the coordinates
//
// Nothing is weighted here; the method applies the coefficients. Needs N >= 2 (the
// method checks).
#pragma once

#include <string>

#include "sslflow/autograd.hpp"

namespace sslflow::vicreg {

struct Terms {
  Var invariance;  // scalars
  Var variance;
  Var covariance;
};

// `method` names the plugin in errors.
Terms loss_terms(const std::string& method, const Var& z1, const Var& z2);

}  // namespace sslflow::vicreg
