// random_masking, kind transform: MAE's per-sample random mask over an image's patches
// (facebookresearch/mae models_mae.py, MaskedAutoencoderViT.random_masking).
//
// For an image [C, H, W] cut into L = (H / P)(W / P) patches of side P, it keeps
// len_keep = int(L (1 - ratio)) patches and masks the other L - len_keep, the same count
// in every sample, as a batch of shortened sequences needs (vit `masked: drop`). As
// random_masking: one uniform noise value per patch, the patches sorted by it (a stable
// sort, as torch.argsort's order for distinct values), the first len_keep kept.
//
// Input `input` (Image), output `out` (Mask [L]: 1 marks a masked patch, row-major).
// Threading: apply() is const and draws only from the rng it is given.
#pragma once

#include <cstdint>
#include <span>

#include "sslflow/interfaces/transform.hpp"
#include "sslflow/params.hpp"

namespace sslflow::mae {

class RandomMasking final : public Transform {
 public:
  static Schema schema();
  static Signature signature();
  explicit RandomMasking(const Params& params);
  Shape setup(const Shape& sample_shape, const NodeSetup& context) override;
  void apply(std::span<const float> in, std::span<float> out, Rng& rng) const override;

 private:
  int64_t patch_;
  double ratio_;
  int64_t in_numel_ = 0;
  int64_t patches_ = 0;  // L
  int64_t keep_ = 0;     // int(L (1 - ratio))
};

}  // namespace sslflow::mae
