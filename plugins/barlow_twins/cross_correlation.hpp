// The Barlow Twins loss terms (Zbontar et al. 2021) of a cross-correlation matrix, as
// facebookresearch/barlowtwins main.py's BarlowTwins.forward computes them from
// c = bn(z1)^T bn(z2) / N:
//
//   on_diagonal   sum_i (1 - c_ii)^2     invariance: each coordinate agrees across views
//   off_diagonal  sum_{i != j} c_ij^2    redundancy reduction: coordinates decorrelate
//
// and the loss on_diagonal + lambda * off_diagonal, which the method forms.
#pragma once

#include <string>

#include "sslflow/autograd.hpp"

namespace sslflow::barlow_twins {

struct Terms {
  Var on_diagonal;  // scalars
  Var off_diagonal;
};

// For the batch-normalised embeddings n1, n2 (N, D): c = n1^T n2 / N (D, D) and its two
// terms. `method` names the plugin in errors.
Terms cross_correlation_terms(const std::string& method, const Var& n1, const Var& n2);

}  // namespace sslflow::barlow_twins
