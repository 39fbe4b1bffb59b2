// Sinkhorn-Knopp for SwAV's codes (Caron et al. 2020, Section 3.1): the soft assignment of
// N samples to K prototypes that is closest to the scores while spreading the samples
// equally over the prototypes.
//
//   Q = exp(scores / epsilon)^T (K, N), Q /= sum(Q)
//   repeat `iterations` times: rows: Q /= row sums, Q /= K; columns: Q /= column sums, Q /= N
//   codes = (N Q)^T (N, K), each row summing to 1
//
// as the official code (facebookresearch/swav, main_swav.py, distributed_sinkhorn, in one
// process: B is the local batch), which works in float32; here in double, where
// exp(scores / epsilon) of cosines in [-1, 1] stays finite for any epsilon above 1/709.
#pragma once

#include "sslflow/tensor.hpp"

namespace sslflow::swav {

// scores (N, K) -> codes (N, K); no gradient.
Tensor sinkhorn_codes(const Tensor& scores, double epsilon, int iterations);

}  // namespace sslflow::swav
