// Token ops of the encoders, each one fused pass forward and one backward (Var::from_op)
// where a chain of sdk ops would copy the tokens several times, and the initialisation of
// the mask token they insert.
//
// Callers check shapes first (shapes.hpp); the ops assume them.
#pragma once

#include "shapes.hpp"
#include "sslflow/autograd.hpp"
#include "sslflow/random.hpp"

namespace sslflow::encoders {

// Fills a mask token as data2vec (fairseq examples/data2vec/models/data2vec_vision.py:130)
// and stable-pretraining (methods/data2vec.py:103) do, torch.nn.init.trunc_normal_(t,
// std=0.02): N(0, 0.02^2) cut at trunc_normal_'s default bounds a = -2, b = 2, which are
// values, not standard deviations (torch/nn/init.py:157), so the cut lies 100 standard
// deviations out. A value beyond them is drawn again.
void init_mask_token(Tensor& token, Rng& rng);

// x (B, C, H, W) -> (B, T, C*P*P): patches in row-major order of the grid, the values of
// one patch in (c, py, px) order, the layout of a Conv2d weight [D, C, P, P]; so
// linear(patchify(x), weight viewed as (D, C*P*P)) is the stride-P convolution.
Var patchify(const Var& x, const PatchGrid& grid);

// tokens (B, T, D) with the tokens where mask (B, T) is non-zero replaced by mask_token (D
// values, e.g. (1, 1, D)). Gradients: masked tokens get none; mask_token gets their sum.
Var replace_masked(const Var& tokens, const Tensor& mask, const Var& mask_token);

// x (B, T + 1, D), the class token first, mask (B, T) leaving K tokens of every sample
// visible (flag 0) -> (B, K + 1, D): the class token and the visible tokens in order, the
// masked ones dropped (models_mae.py random_masking keeps them in a random order; the
// blocks do not depend on the order). Gradients flow to the kept rows only.
Var drop_masked(const Var& x, const Tensor& mask, int64_t visible);

// x (B, T, D), cls_token (1, 1, D), pos_embed (1, T + 1, D) -> (B, T + 1, D), the class
// token followed by the tokens, plus the positions: concat([cls, x], 1) + pos_embed.
Var prepend_class_token(const Var& x, const Var& cls_token, const Var& pos_embed);

}  // namespace sslflow::encoders
