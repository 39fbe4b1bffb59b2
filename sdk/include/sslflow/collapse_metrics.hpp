// Collapse indicators of a batch of embeddings z (B, D), computed without gradient, for a
// method's metrics:
//
//   collapse_std  the standard deviation over the batch (unbiased, as torch.std) of each
//                 coordinate of the L2-normalised z, averaged over the D coordinates
//                 (Chen & He 2021, Fig. 2; lightly's std_of_l2_normalized). 0 when every
//                 sample maps to one direction; about 1/sqrt(D) for directions spread
//                 over the sphere.
//   z_std_ratio   collapse_std * sqrt(D): 0 when collapsed, about 1 when healthy, whatever D.
#pragma once

#include "sslflow/export.hpp"
#include "sslflow/metrics.hpp"
#include "sslflow/tensor.hpp"

namespace sslflow {

SSLFLOW_EXPORT Metrics collapse_metrics(const Tensor& z);

}  // namespace sslflow
