#include "mae.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "pixel_target.hpp"
#include "sslflow/collapse_metrics.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::mae {

namespace {

// The flat indices b L + t of the masked patches of mask (B, L).
std::vector<int64_t> masked_patches(const Tensor& mask) {
  std::vector<int64_t> rows;
  const std::span<const float> flags = mask.values();
  for (size_t i = 0; i < flags.size(); ++i)
    if (flags[i] != 0.0f) rows.push_back(static_cast<int64_t>(i));
  return rows;
}

// The side P of the square patches that cut an image [C, H, W] into `patches` tokens.
int64_t patch_side(const Shape& image, int64_t patches) {
  const int64_t area = image[1] * image[2];
  const auto side = static_cast<int64_t>(std::llround(std::sqrt(double(area) / double(patches))));
  if (side < 1 || side * side * patches != area || image[1] % side != 0 || image[2] % side != 0)
    throw ShapeError("mae: the mask's " + std::to_string(patches) + " patches do not cut the image " + image.str() +
                     " into square patches; give patch_mask the encoder's patch size");
  return side;
}

}  // namespace

Schema Mae::schema() {
  return {
      Option("decoder_dim", 512,
             "decoder width E, a multiple of 4 for the 2-D sin-cos positions; 512 as models_mae.py "
             "(decoder_embed_dim)")
          .range(4, 65536),
      Option("decoder_depth", 8, "decoder Transformer blocks; 8 as models_mae.py (decoder_depth)").range(1, 64),
      Option("decoder_heads", 16, "decoder attention heads, dividing decoder_dim; 16 as models_mae.py "
                                  "(decoder_num_heads)")
          .range(1, 256),
      Option("mlp_ratio", 4.0, "hidden width of each decoder block's MLP as a multiple of decoder_dim; 4 as "
                               "models_mae.py (mlp_ratio)")
          .positive(),
      Option("norm_pix_loss", true,
             "regress each patch's pixels normalised by their own mean and unbiased variance (models_mae.py "
             "forward_loss); on as the paper's best (Table 1d) and main_pretrain.py --norm_pix_loss"),
  };
}

Signature Mae::signature() {
  return {{{"tokens", PortType::Tokens, "the encoder's visible patch tokens, the masked ones dropped"},
           {"cls", PortType::Features, "the encoder's class token on the same input"},
           {"mask", PortType::Mask, "the patches dropped from the encoder's input"},
           {"image", PortType::Image, "the un-masked images, whose pixels are the targets"}},
          {}};
}

void Mae::check(const Params& params) {
  const auto dim = params.get<int64_t>("decoder_dim"), heads = params.get<int64_t>("decoder_heads");
  if (dim % 4 != 0)
    throw OptionError("mae: `decoder_dim` " + std::to_string(dim) + " is not a multiple of 4, which the 2-D sin-cos "
                      "positions need");
  if (dim % heads != 0)
    throw OptionError("mae: `decoder_heads` " + std::to_string(heads) + " does not divide `decoder_dim` " +
                      std::to_string(dim));
}

Mae::Mae(const Params& params)
    : decoder_dim_(params.get<int64_t>("decoder_dim")),
      decoder_depth_(params.get<int64_t>("decoder_depth")),
      decoder_heads_(params.get<int>("decoder_heads")),
      mlp_ratio_(params.get<double>("mlp_ratio")),
      norm_pix_loss_(params.get<bool>("norm_pix_loss")) {}

void Mae::setup(const InputShapes& shapes, const NodeSetup& context) {
  const Shape& tokens = shapes.get("tokens");
  const Shape& cls = shapes.get("cls");
  const Shape& mask = shapes.get("mask");
  const Shape& image = shapes.get("image");
  if (tokens.rank() != 2) throw ShapeError("mae: tokens must be (B, K, D), got per-sample shape " + tokens.str());
  if (!(cls == Shape{tokens[1]}))
    throw ShapeError("mae: cls " + cls.str() + " is not one token of the encoder's width, tokens " + tokens.str() +
                     " (per sample)");
  if (mask.rank() != 1) throw ShapeError("mae: mask must be (B, L), got per-sample shape " + mask.str());
  if (image.rank() != 3) throw ShapeError("mae: image must be (B, C, H, W), got per-sample shape " + image.str());
  patches_ = mask[0];
  patch_ = patch_side(image, patches_);
  const int64_t values = patch_ * patch_ * image[0];
  if (norm_pix_loss_ && values < 2)
    throw ShapeError("mae: norm_pix_loss needs at least 2 values per patch for their variance, got " +
                     std::to_string(values));
  dim_ = tokens[1];
  image_shape_ = image;
  Rng rng = context.init_rng();
  decoder_.emplace(*this,
                   DecoderSpec{tokens[1], decoder_dim_, decoder_depth_, decoder_heads_, mlp_ratio_, image[1] / patch_,
                               image[2] / patch_, values},
                   rng);
}

void Mae::check_inputs(const Var& tokens, const Var& cls, const Tensor& mask, const Tensor& image) const {
  if (tokens.rank() != 3 || tokens.dim(2) != dim_)
    throw ShapeError("mae: tokens must be (B, K, " + std::to_string(dim_) + "), got " + tokens.shape().str());
  const int64_t batch = tokens.dim(0), visible = tokens.dim(1);
  expect_shape("mae cls", cls.shape(), Shape{batch, dim_});
  expect_shape("mae mask", mask.shape(), Shape{batch, patches_});
  expect_shape("mae image", image.shape(), Shape{batch, image_shape_[0], image_shape_[1], image_shape_[2]});
  for (int64_t b = 0; b < batch; ++b) {
    const float* flags = mask.data() + b * patches_;
    const auto kept = static_cast<int64_t>(std::count(flags, flags + patches_, 0.0f));
    if (kept != visible)
      throw ShapeError("mae: sample " + std::to_string(b) + " of the mask leaves " + std::to_string(kept) +
                       " patches visible, but the encoder gave " + std::to_string(visible) +
                       " tokens; the encoder must read the same mask and drop the masked patches (vit `masked: "
                       "drop`)");
  }
  if (visible == patches_) throw Error("mae: the mask marks no patch, so there is nothing to reconstruct");
}

StepOutput Mae::forward(const MethodInputs& inputs) {
  if (!decoder_) throw Error("mae: forward() before setup()");
  const Var& tokens = inputs.get("tokens").value();           // (B, K, D)
  const Var& cls = inputs.get("cls").value();                 // (B, D)
  const Tensor& mask = inputs.get("mask").value().value();    // (B, L)
  const Tensor& image = inputs.get("image").value().value();  // (B, C, H, W)
  check_inputs(tokens, cls, mask, image);
  const int64_t batch = tokens.dim(0);

  const Var latent = concat({reshape(cls, Shape{batch, 1, dim_}), tokens}, 1);  // (B, 1 + K, D)
  const Var pred = decoder_->forward(latent, mask);                            // (B, L, P P C)
  const int64_t values = pred.dim(2);
  const std::vector<int64_t> rows = masked_patches(mask);
  const Tensor target = pixel_target(image, patch_, norm_pix_loss_).reshape(Shape{batch * patches_, values});
  // The mean over the masked patches of each patch's mean squared error: every patch has
  // P P C values, so this is the mean over all their values.
  Var loss = mse_loss(index_select(reshape(pred, Shape{batch * patches_, values}), 0, rows),
                      index_select(Var(target), 0, rows));
  Metrics metrics = collapse_metrics(cls.value());
  metrics.emplace_back("masked_fraction", double(rows.size()) / double(mask.numel()));
  return {loss, std::move(metrics)};
}

}  // namespace sslflow::mae
