// MAE (He et al. 2022, "Masked Autoencoders Are Scalable Vision Learners"), kind method:
// the encoder sees only the patches a mask leaves visible (vit with `masked: drop`, the
// mask from this library's random_masking transform: models_mae.py random_masking keeps
// int(L (1 - 0.75)) patches of each sample, random_masking.hpp); a light decoder owned by this method
// (decoder.hpp) puts a mask token at every dropped patch and predicts the pixels of all L
// patches; the loss is the mean squared error per patch against the (per-patch normalised)
// pixels (pixel_target.hpp), averaged over the masked patches only (models_mae.py
// forward_loss: (loss * mask).sum() / mask.sum()).
//
// Ports: `tokens` (Tokens (B, K, D): the encoder's visible patch tokens, after its final
// norm, in grid order), `cls` (Features (B, D): its class token, which the decoder carries
// as forward_decoder does), `mask` (Mask (B, L): 1 marks a dropped patch, every sample
// keeping the same K), `image` (Image (B, C, H, W): the un-masked images, whose patches are
// the targets). The patch side P is sqrt(H W / L), which must divide H and W. K is checked
// at each step against the mask, not at setup: the engine sets nodes up on an empty mask.
//
// Defaults are the paper's (models_mae.py mae_vit_*_dec512d8b): decoder width 512, depth
// 8, 16 heads, MLP ratio 4, norm_pix_loss on (the paper's best, Table 1d; models_mae.py's
// own default is False, main_pretrain.py's --norm_pix_loss flag turns it on).
//
// Metrics: collapse_std and z_std_ratio of the class token (sslflow/collapse_metrics.hpp),
// the features a probe reads; masked_fraction (masked patches / (B L)).
// Threading: forward() is called from one task at a time (interfaces/method.hpp).
#pragma once

#include <optional>

#include "decoder.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/params.hpp"

namespace sslflow::mae {

class Mae final : public Method {
 public:
  static Schema schema();
  static Signature signature();
  static void check(const Params& params);  // decoder_heads divides decoder_dim, a multiple of 4
  explicit Mae(const Params& params);

  void setup(const InputShapes& shapes, const NodeSetup& context) override;
  StepOutput forward(const MethodInputs& inputs) override;

 private:
  void check_inputs(const Var& tokens, const Var& cls, const Tensor& mask, const Tensor& image) const;

  int64_t decoder_dim_;
  int64_t decoder_depth_;
  int decoder_heads_;
  double mlp_ratio_;
  bool norm_pix_loss_;
  int64_t dim_ = 0;      // D
  Shape image_shape_;    // (C, H, W)
  int64_t patches_ = 0;  // L
  int64_t patch_ = 0;    // P
  std::optional<Decoder> decoder_;
};

}  // namespace sslflow::mae
