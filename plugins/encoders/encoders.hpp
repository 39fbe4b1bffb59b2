// The shipped encoders (kind encoder). Parameter names and layouts are those of the
// equivalent PyTorch modules (tests/plugins/make_encoders_golden.py builds them), so
// state dicts move between the two with load_state_dict.
//
//   mlp      whole images flattened: Linear -> BatchNorm1d -> ReLU per hidden layer, then a
//            Linear; out (B, out_dim). With `patch` P > 0, per token: the image cut into
//            P x P patches, each layer ReLU(W token + b) on every token; out = the mean
//            token, tokens = the last layer, blocks = every layer, masked input tokens
//            replaced by a learnable mask token.
//   convnet  stages of 3x3 Conv2d (no bias) -> BatchNorm2d -> ReLU, then the last stage
//            average-pooled to grid x grid cells (1: global average pool);
//            out (B, channels[-1] * grid^2), channel-major as PyTorch's flatten.
//   resnet   ResNet-18/34/50 (He et al. 2016) with torchvision's module names (resnet_blocks.hpp),
//            without fc: out = the last stage global-average-pooled, (B, 8 * width * expansion).
//   vit      Vision Transformer (Dosovitskiy et al. 2021, timm's layout): patch embedding,
//            class token, learned positions, pre-norm blocks, final LayerNorm; out = the
//            class token, tokens = the patch tokens, blocks = each block's patch tokens.
//            A mask either replaces the masked patches by a mask token (`masked: replace`,
//            BEiT and data2vec) or drops them after the positions are added (`masked: drop`,
//            MAE): the blocks then see the class token and the K visible patches only, and
//            tokens and blocks are (B, K, D), the visible patches in grid order.
//            Positions are learned, or MAE's fixed 2-D sin-cos table (`positions: sincos`).
//
// Threading: forward() keeps no state of its own between calls, so two views may run
// concurrently; batch-norm running statistics follow nn/application.hpp.
#pragma once

#include <memory>
#include <vector>

#include "resnet_blocks.hpp"
#include "shapes.hpp"
#include "sslflow/interfaces/encoder.hpp"
#include "sslflow/nn/batch_norm.hpp"
#include "sslflow/nn/conv2d.hpp"
#include "sslflow/nn/layer_norm.hpp"
#include "sslflow/nn/linear.hpp"
#include "sslflow/params.hpp"
#include "vit_block.hpp"

namespace sslflow::encoders {

// Parameters: layers.<i>.fc.{weight,bias} and, with batch_norm, layers.<i>.bn.* for the
// hidden layers; per token also mask_token (1, 1, C*P*P).
class Mlp final : public Encoder {
 public:
  static Schema schema();
  explicit Mlp(const Params& params);
  void setup(const Shape& sample_shape, const NodeSetup& context) override;
  Output forward(const Var& x, const Tensor& mask) override;
  int64_t feature_dim() const override;

 private:
  Output forward_flat(const Var& x);
  Output forward_tokens(const Var& x, const Tensor& mask) const;

  std::vector<int64_t> hidden_;
  int64_t out_dim_;
  bool batch_norm_;
  int64_t patch_;
  int64_t layers_;
  int64_t dim_;
  Shape sample_shape_;
  PatchGrid grid_{};
  std::vector<std::shared_ptr<nn::Linear>> fcs_;
  std::vector<std::shared_ptr<nn::BatchNorm>> norms_;  // one per hidden layer, or none
  Var mask_token_;                                     // (1, 1, C*P*P), per token only
};

// Parameters: stages.<i>.conv.weight, stages.<i>.bn.*.
class ConvNet final : public Encoder {
 public:
  static Schema schema();
  static Signature signature();
  explicit ConvNet(const Params& params);
  static void check(const Params& params);  // one stride per stage
  void setup(const Shape& sample_shape, const NodeSetup& context) override;
  Output forward(const Var& x, const Tensor& mask) override;
  int64_t feature_dim() const override { return channels_.back() * grid_ * grid_; }

 private:
  struct GridPooling {
    int kernel = 0, stride = 0;
  };
  int64_t stage_side(const Shape& sample_shape) const;
  static GridPooling grid_pooling(int64_t side, int64_t grid);

  std::vector<int64_t> channels_;
  std::vector<int64_t> strides_;
  int64_t grid_;
  GridPooling pool_;
  Shape sample_shape_;
  std::vector<std::shared_ptr<nn::Conv2d>> convs_;
  std::vector<std::shared_ptr<nn::BatchNorm>> norms_;
};

// Parameters and buffers as torchvision.models.resnet<depth>'s state dict without fc.*:
// conv1.weight, bn1.*, layer<s>.<i>.{conv1,bn1,conv2,bn2[,conv3,bn3]}.*, and
// layer<s>.0.downsample.{0,1}.* where a stage changes the stride or the channels.
class ResNet final : public Encoder {
 public:
  static Schema schema();
  static Signature signature();
  static void check(const Params& params);  // depth 18, 34 or 50
  explicit ResNet(const Params& params);
  void setup(const Shape& sample_shape, const NodeSetup& context) override;
  Output forward(const Var& x, const Tensor& mask) override;
  int64_t feature_dim() const override;

 private:
  int64_t depth_;
  bool imagenet_stem_;  // else the cifar stem
  int64_t width_;
  bool zero_init_residual_;
  Shape sample_shape_;
  std::shared_ptr<nn::Conv2d> conv1_;
  std::shared_ptr<nn::BatchNorm> bn1_;
  std::vector<std::shared_ptr<ResidualBlock>> blocks_;  // layer1.0, layer1.1, ..., layer4.<last>
};

// Parameters: cls_token (1, 1, D), pos_embed (1, T + 1, D; a buffer with `positions:
// sincos`), mask_token (1, 1, D) unless `masked: drop`, patch_embed.proj.{weight,bias}
// ([D, C, P, P], [D]), blocks.<i>.*, norm.{weight,bias}.
class Vit final : public Encoder {
 public:
  static Schema schema();
  static void check(const Params& params);  // heads divides dim
  explicit Vit(const Params& params);
  void setup(const Shape& sample_shape, const NodeSetup& context) override;
  Output forward(const Var& x, const Tensor& mask) override;
  int64_t feature_dim() const override { return dim_; }

 private:
  int64_t dim_;
  int64_t depth_;
  int heads_;
  int64_t patch_;
  double mlp_ratio_;
  bool drop_masked_;  // else masked patches are replaced by mask_token
  bool sincos_positions_;  // else learned
  Shape sample_shape_;
  PatchGrid grid_{};
  Var cls_token_;
  Var pos_embed_;
  Var mask_token_;
  std::shared_ptr<nn::Conv2d> patch_proj_;
  std::vector<std::shared_ptr<VitBlock>> blocks_;
  std::shared_ptr<nn::LayerNorm> norm_;
};

}  // namespace sslflow::encoders
