#include "random_masking.hpp"

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "sslflow/error.hpp"

namespace sslflow::mae {

Schema RandomMasking::schema() {
  return {Option("patch", 7, "side P of a square patch in pixels, the encoder's; must divide the image's height and "
                             "width; 7 cuts 28x28 Fashion-MNIST into 16 patches")
              .range(1, 1024),
          Option("ratio", 0.75, "fraction of the patches masked; 0.75 as MAE (models_mae.py forward, mask_ratio)")
              .range(0.0, 1.0)};
}

Signature RandomMasking::signature() {
  return {{{"input", PortType::Image, "the images whose patches are masked"}},
          {{"out", PortType::Mask, "one 0/1 value per patch, row-major; 1 marks a masked patch"}}};
}

RandomMasking::RandomMasking(const Params& params)
    : patch_(params.get<int64_t>("patch")), ratio_(params.get<double>("ratio")) {}

Shape RandomMasking::setup(const Shape& sample_shape, const NodeSetup&) {
  if (sample_shape.rank() != 3)
    throw ShapeError("random_masking: expected image samples [C, H, W], got " + sample_shape.str());
  if (sample_shape[1] % patch_ != 0 || sample_shape[2] % patch_ != 0)
    throw ShapeError("random_masking: patch " + std::to_string(patch_) + " does not divide the image " +
                     sample_shape.str());
  in_numel_ = sample_shape.numel();
  patches_ = (sample_shape[1] / patch_) * (sample_shape[2] / patch_);
  keep_ = static_cast<int64_t>(double(patches_) * (1.0 - ratio_));  // len_keep = int(L * (1 - mask_ratio))
  return {patches_};
}

void RandomMasking::apply(std::span<const float> in, std::span<float> out, Rng& rng) const {
  if (static_cast<int64_t>(in.size()) != in_numel_ || static_cast<int64_t>(out.size()) != patches_)
    throw ShapeError("random_masking: expected a sample of " + std::to_string(in_numel_) + " values and a mask of " +
                     std::to_string(patches_) + ", got " + std::to_string(in.size()) + " and " +
                     std::to_string(out.size()));
  std::vector<float> noise(out.size());  // (L)
  for (float& v : noise) v = rng.uniform();
  std::vector<size_t> ids_shuffle(out.size());
  std::iota(ids_shuffle.begin(), ids_shuffle.end(), size_t{0});
  std::stable_sort(ids_shuffle.begin(), ids_shuffle.end(), [&](size_t a, size_t b) { return noise[a] < noise[b]; });
  std::fill(out.begin(), out.end(), 1.0f);
  for (int64_t i = 0; i < keep_; ++i) out[ids_shuffle[size_t(i)]] = 0.0f;
}

}  // namespace sslflow::mae
