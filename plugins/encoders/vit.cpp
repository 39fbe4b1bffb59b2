#include <cmath>
#include <string>

#include "encoders.hpp"
#include "sincos_positions.hpp"
#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"
#include "token_ops.hpp"

namespace sslflow::encoders {

Schema Vit::schema() {
  return {
      Option("dim", 64, "token width D; 64 as the shipped MNIST recipe").range(1, 65536),
      Option("depth", 4, "number of Transformer blocks; 4 as the shipped MNIST recipe").range(1, 64),
      Option("heads", 4, "attention heads, dividing dim; 4 as the shipped MNIST recipe").range(1, 256),
      Option("patch", 7, "side P of the square patches, dividing the image's height and width; 7 cuts 28x28 "
                         "MNIST into 16 tokens")
          .range(1, 1024),
      Option("mlp_ratio", 4.0, "hidden width of each block's MLP as a multiple of dim; 4 as ViT (Dosovitskiy "
                               "et al. 2021)")
          .positive(),
      Option("masked", "replace",
             "what a mask does to the masked patches: replace them by a learned mask token (BEiT, data2vec), or "
             "drop them, so that the blocks run on the class token and the visible patches only (MAE: "
             "facebookresearch/mae models_mae.py forward_encoder, positions added before random_masking); every "
             "sample must keep as many patches")
          .one_of({"replace", "drop"}),
      Option("positions", "learned",
             "position embeddings: learned, trunc_normal_(std=0.02) as BEiT and data2vec; or sincos, the fixed 2-D "
             "sine-cosine table of MAE's encoder (models_mae.py initialize_weights, util/pos_embed.py), a buffer "
             "and not trained, which needs dim a multiple of 4")
          .one_of({"learned", "sincos"}),
  };
}

void Vit::check(const Params& params) {
  const auto dim = params.get<int64_t>("dim"), heads = params.get<int64_t>("heads");
  if (dim % heads != 0)
    throw OptionError("`heads` " + std::to_string(heads) + " does not divide `dim` " + std::to_string(dim));
  if (params.get<std::string>("positions") == "sincos" && dim % 4 != 0)
    throw OptionError("`positions: sincos` needs `dim` a multiple of 4, got " + std::to_string(dim));
}

Vit::Vit(const Params& params)
    : dim_(params.get<int64_t>("dim")),
      depth_(params.get<int64_t>("depth")),
      heads_(params.get<int>("heads")),
      patch_(params.get<int64_t>("patch")),
      mlp_ratio_(params.get<double>("mlp_ratio")),
      drop_masked_(params.get<std::string>("masked") == "drop"),
      sincos_positions_(params.get<std::string>("positions") == "sincos") {}

void Vit::setup(const Shape& sample_shape, const NodeSetup& context) {
  grid_ = patch_grid("vit", sample_shape, patch_);
  sample_shape_ = sample_shape;
  Rng rng = context.init_rng();
  // BEiT's and data2vec's initialisation of the learned tokens: trunc_normal_(std=0.02).
  auto learned = [&](const char* name, Shape shape) {
    Tensor t(shape);
    init::truncated_normal(t, rng, 0.02);
    return register_parameter(name, t);
  };
  cls_token_ = learned("cls_token", Shape{1, 1, dim_});
  pos_embed_ = sincos_positions_ ? Var(register_buffer("pos_embed", sincos_positions(dim_, grid_.rows, grid_.cols)))
                                 : learned("pos_embed", Shape{1, grid_.tokens() + 1, dim_});
  if (!drop_masked_) {
    Tensor mask_token(Shape{1, 1, dim_});
    init_mask_token(mask_token, rng);
    mask_token_ = register_parameter("mask_token", mask_token);
  }
  auto patch_embed = register_module("patch_embed", std::make_shared<Module>());
  patch_proj_ = patch_embed->register_module(
      "proj", std::make_shared<nn::Conv2d>(grid_.channels, dim_, static_cast<int>(patch_), static_cast<int>(patch_),
                                           0, rng));
  auto blocks = register_module("blocks", std::make_shared<Module>());
  const auto mlp_hidden = static_cast<int64_t>(static_cast<double>(dim_) * mlp_ratio_);
  for (int64_t i = 0; i < depth_; ++i)
    blocks_.push_back(
        blocks->register_module(std::to_string(i), std::make_shared<VitBlock>(dim_, heads_, mlp_hidden, rng)));
  norm_ = register_module("norm", std::make_shared<nn::LayerNorm>(dim_, 1e-6f));
}

Encoder::Output Vit::forward(const Var& x, const Tensor& mask) {
  check_images("vit", x, sample_shape_);
  const int64_t batch = x.dim(0);
  const int64_t tokens = grid_.tokens();
  // The stride-P convolution as one matrix product over the patches.
  Var weight = reshape(patch_proj_->weight, Shape{dim_, grid_.values()});  // (D, C*P*P)
  Var h = linear(patchify(x, grid_), weight, patch_proj_->bias);           // (B, T, D)
  if (mask.defined()) check_mask("vit", mask, batch, tokens);
  if (mask.defined() && !drop_masked_) h = replace_masked(h, mask, mask_token_);
  h = prepend_class_token(h, cls_token_, pos_embed_);  // (B, T + 1, D)
  if (mask.defined() && drop_masked_) h = drop_masked(h, mask, visible_tokens("vit", mask));  // (B, K + 1, D)
  const int64_t length = h.dim(1);
  std::vector<Var> blocks;
  for (const auto& block : blocks_) {
    h = block->forward(h);
    blocks.push_back(slice(h, 1, 1, length));  // (B, T or K, D)
  }
  h = norm_->forward(h);
  return {reshape(slice(h, 1, 0, 1), Shape{batch, dim_}), slice(h, 1, 1, length), std::move(blocks)};
}

}  // namespace sslflow::encoders
