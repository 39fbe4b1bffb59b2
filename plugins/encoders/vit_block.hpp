// The pre-norm Transformer block of the Vision Transformer (timm's Block), shared by the
// vit encoder and the decoder of the mae method, which compiles vit_block.cpp as well.
//
// forward(x) = h + mlp(norm2(h)) with h = x + attn(norm1(x)), mlp = fc1 -> GELU -> fc2,
// LayerNorms with eps 1e-6 (timm's and models_mae.py's partial(nn.LayerNorm, eps=1e-6)).
// Parameters norm1.*, attn.in_proj_*, attn.out_proj.*, norm2.*, mlp.fc1.*, mlp.fc2.*;
// the Linears of the MLP start as timm's ViT initialises them (weight trunc_normal_(std=0.02),
// bias 0), the attention as torch.nn.MultiheadAttention does. forward() keeps no state.
#pragma once

#include <memory>

#include "sslflow/module.hpp"
#include "sslflow/nn/layer_norm.hpp"
#include "sslflow/nn/linear.hpp"
#include "sslflow/nn/multi_head_attention.hpp"
#include "sslflow/random.hpp"

namespace sslflow::encoders {

class VitBlock final : public Module {
 public:
  VitBlock(int64_t dim, int heads, int64_t mlp_hidden, Rng& rng);
  Var forward(const Var& x) const;  // (B, T, D) -> (B, T, D)

 private:
  std::shared_ptr<nn::LayerNorm> norm1_;
  std::shared_ptr<nn::MultiHeadAttention> attn_;
  std::shared_ptr<nn::LayerNorm> norm2_;
  std::shared_ptr<nn::Linear> fc1_;
  std::shared_ptr<nn::Linear> fc2_;
};

}  // namespace sslflow::encoders
