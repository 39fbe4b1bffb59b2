#include "decoder.hpp"

#include <string>

#include "sincos_positions.hpp"
#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::mae {

namespace {

// _init_weights on every Linear below `module`: xavier_uniform_ weight, bias 0. LayerNorms
// keep their weight 1; their bias is 0 already.
void xavier_linears(const Module& module, Rng& rng) {
  for (auto& [name, p] : module.named_parameters()) {
    if (p.rank() == 2)
      init::xavier_uniform(p.value(), rng);
    else if (name.ends_with("bias"))
      p.value().fill(0.0f);
  }
}

// The rows of concat([x viewed as (B (1 + K), E), the mask token]) that make the full
// sequence (B, 1 + L, E): each sample's class token, then per patch its visible token or
// the mask token (the last row).
std::vector<int64_t> unshuffle_rows(const Tensor& mask, int64_t visible) {
  const int64_t batch = mask.dim(0), patches = mask.dim(1);
  const int64_t mask_row = batch * (1 + visible);
  std::vector<int64_t> rows;
  rows.reserve(size_t(batch * (1 + patches)));
  for (int64_t b = 0; b < batch; ++b) {
    int64_t next = b * (1 + visible);
    rows.push_back(next++);
    for (int64_t t = 0; t < patches; ++t) rows.push_back(mask.data()[b * patches + t] == 0.0f ? next++ : mask_row);
  }
  return rows;
}

}  // namespace

Decoder::Decoder(Module& owner, const DecoderSpec& spec, Rng& rng) {
  embed_ = owner.register_module("decoder_embed", std::make_shared<nn::Linear>(spec.in_dim, spec.dim, rng));
  Tensor token(Shape{1, 1, spec.dim});
  init::normal(token, rng, 0.02);
  mask_token_ = owner.register_parameter("mask_token", token);
  const Tensor positions = encoders::sincos_positions(spec.dim, spec.rows, spec.cols);
  pos_embed_ = Var(owner.register_buffer("decoder_pos_embed", positions));
  auto blocks = owner.register_module("decoder_blocks", std::make_shared<Module>());
  const auto hidden = static_cast<int64_t>(static_cast<double>(spec.dim) * spec.mlp_ratio);
  for (int64_t i = 0; i < spec.depth; ++i)
    blocks_.push_back(blocks->register_module(std::to_string(i),
                                              std::make_shared<encoders::VitBlock>(spec.dim, spec.heads, hidden, rng)));
  norm_ = owner.register_module("decoder_norm", std::make_shared<nn::LayerNorm>(spec.dim, 1e-6f));
  pred_ = owner.register_module("decoder_pred", std::make_shared<nn::Linear>(spec.dim, spec.out_dim, rng));
  xavier_linears(*embed_, rng);
  xavier_linears(*blocks, rng);
  xavier_linears(*pred_, rng);
}

Var Decoder::forward(const Var& latent, const Tensor& mask) const {
  const int64_t batch = latent.dim(0), visible = latent.dim(1) - 1, patches = mask.dim(1);
  const Var x = embed_->forward(latent);  // (B, 1 + K, E)
  const int64_t dim = x.dim(2);
  const Var rows = concat({reshape(x, Shape{batch * (1 + visible), dim}), reshape(mask_token_, Shape{1, dim})}, 0);
  Var h = reshape(index_select(rows, 0, unshuffle_rows(mask, visible)), Shape{batch, 1 + patches, dim});
  h = add(h, pos_embed_);  // (B, 1 + L, E)
  for (const auto& block : blocks_) h = block->forward(h);
  h = pred_->forward(norm_->forward(h));  // (B, 1 + L, P P C)
  return slice(h, 1, 1, 1 + patches);
}

}  // namespace sslflow::mae
