// MAE's fixed 2-D sine-cosine positions (facebookresearch/mae util/pos_embed.py,
// get_2d_sincos_pos_embed with cls_token=True), for a grid of rows x cols patches; the vit
// encoder's `positions: sincos` and the mae method's decoder both use them (the mae
// library compiles sincos_positions.cpp as well):
//
//   row 0 (the class token) is 0; the patch at grid row i, column j (token 1 + i cols + j)
//   is [e(j), e(i)], each e of D/2 values, e(p) = [sin(p w_0..w_{D/4-1}), cos(p w_0..)],
//   w_k = 1 / 10000^(k / (D/4)).
//
// The first half encodes the column: np.meshgrid(grid_w, grid_h) puts w first, and
// get_2d_sincos_pos_embed_from_grid encodes grid[0] into the first half. Computed in
// float64 as NumPy does, stored as float32. dim must be a multiple of 4.
#pragma once

#include <cstdint>

#include "sslflow/tensor.hpp"

namespace sslflow::encoders {

Tensor sincos_positions(int64_t dim, int64_t rows, int64_t cols);  // (1, 1 + rows cols, dim)

}  // namespace sslflow::encoders
