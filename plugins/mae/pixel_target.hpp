// MAE's regression target: the pixels of every patch (facebookresearch/mae models_mae.py,
// patchify and forward_loss).
//
// images (B, C, H, W) -> (B, L, P P C): patches in row-major order of the grid, the values
// of one patch in (py, px, c) order, as patchify's einsum 'nchpwq->nhwpqc'; the decoder's
// prediction of a patch uses the same order. With `normalize` (norm_pix_loss), each patch
// becomes (x - mean) / sqrt(var + 1e-6) over its own P P C values, var unbiased (divided by
// P P C - 1) as forward_loss's target.var(dim=-1), whose default is torch's unbiased
// estimate. Computed without gradient: the target is data.
#pragma once

#include <cstdint>

#include "sslflow/tensor.hpp"

namespace sslflow::mae {

Tensor pixel_target(const Tensor& images, int64_t patch, bool normalize);

}  // namespace sslflow::mae
