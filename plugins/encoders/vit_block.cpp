#include "vit_block.hpp"

#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::encoders {

namespace {

// timm's ViT initialisation of a Linear: weight trunc_normal_(std=0.02), bias 0.
std::shared_ptr<nn::Linear> timm_linear(int64_t in, int64_t out, Rng& rng) {
  auto fc = std::make_shared<nn::Linear>(in, out, rng);
  init::truncated_normal(fc->weight.value(), rng, 0.02);
  fc->bias.value().fill(0.0f);
  return fc;
}

}  // namespace

VitBlock::VitBlock(int64_t dim, int heads, int64_t mlp_hidden, Rng& rng) {
  norm1_ = register_module("norm1", std::make_shared<nn::LayerNorm>(dim, 1e-6f));
  attn_ = register_module("attn", std::make_shared<nn::MultiHeadAttention>(dim, heads, rng));
  norm2_ = register_module("norm2", std::make_shared<nn::LayerNorm>(dim, 1e-6f));
  auto mlp = register_module("mlp", std::make_shared<Module>());
  fc1_ = mlp->register_module("fc1", timm_linear(dim, mlp_hidden, rng));
  fc2_ = mlp->register_module("fc2", timm_linear(mlp_hidden, dim, rng));
}

Var VitBlock::forward(const Var& x) const {
  Var h = add(x, attn_->forward(norm1_->forward(x)));
  return add(h, fc2_->forward(gelu(fc1_->forward(norm2_->forward(h)))));
}

}  // namespace sslflow::encoders
