// The contrastive accuracy of two views' projections z1, z2 (N, D), computed without
// gradient: of the 2N anchors [z1; z2], the fraction whose other view (row i of z1 for
// row i of z2, and back) is strictly more cosine-similar to it than every other sample
// is. 1 when each view picks out its pair; about 1 / (2N - 1) for unrelated views, and
// near 0 when every projection is one point (only rounding then separates the
// similarities). Independent of the loss and of its temperature.
#pragma once

#include "sslflow/tensor.hpp"

namespace sslflow::simclr {

double contrastive_accuracy(const Tensor& z1, const Tensor& z2);

}  // namespace sslflow::simclr
