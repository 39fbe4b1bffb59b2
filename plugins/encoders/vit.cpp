#include <cmath>
#include <string>

#include "encoders.hpp"
#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"
#include "token_ops.hpp"

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
  };
}

void Vit::check(const Params& params) {
  const auto dim = params.get<int64_t>("dim"), heads = params.get<int64_t>("heads");
  if (dim % heads != 0)
    throw OptionError("`heads` " + std::to_string(heads) + " does not divide `dim` " + std::to_string(dim));
}

Vit::Vit(const Params& params)
    : dim_(params.get<int64_t>("dim")),
      depth_(params.get<int64_t>("depth")),
      heads_(params.get<int>("heads")),
      patch_(params.get<int64_t>("patch")),
      mlp_ratio_(params.get<double>("mlp_ratio")) {}

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
  pos_embed_ = learned("pos_embed", Shape{1, grid_.tokens() + 1, dim_});
  Tensor mask_token(Shape{1, 1, dim_});
  init_mask_token(mask_token, rng);
  mask_token_ = register_parameter("mask_token", mask_token);
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
  if (mask.defined()) {
    check_mask("vit", mask, batch, tokens);
    h = replace_masked(h, mask, mask_token_);
  }
  h = prepend_class_token(h, cls_token_, pos_embed_);  // (B, T + 1, D)
  std::vector<Var> blocks;
  for (const auto& block : blocks_) {
    h = block->forward(h);
    blocks.push_back(slice(h, 1, 1, tokens + 1));  // (B, T, D)
  }
  h = norm_->forward(h);
  return {reshape(slice(h, 1, 0, 1), Shape{batch, dim_}), slice(h, 1, 1, tokens + 1), std::move(blocks)};
}

}  // namespace sslflow::encoders
