#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "color.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

namespace {

constexpr int kLevels = 256;

// torchvision's convert_image_dtype(float -> uint8): x * (255 + 1 - 1e-3), truncated; the
// clamp keeps the cast defined for values outside [0, 1] (and NaN, which becomes 0).
uint8_t quantise(float x) {
  const float unit = x > 0.0f ? std::min(x, 1.0f) : 0.0f;
  return static_cast<uint8_t>(unit * 255.999f);
}

// torchvision's _scale_channel (PIL's ImageOps.equalize): step = the number of pixels
// outside the last occupied level, / 255; level k -> (pixels below k + step / 2) / step,
// at most 255. A step of 0 (one level, or too few pixels) keeps every level.
std::array<uint8_t, kLevels> equalize_lut(const std::array<int64_t, kLevels>& histogram) {
  std::array<uint8_t, kLevels> lut{};
  int64_t total = 0, last = 0;
  for (int64_t count : histogram) {
    total += count;
    if (count != 0) last = count;
  }
  const int64_t step = (total - last) / 255;
  int64_t below = 0;
  for (int k = 0; k < kLevels; ++k) {
    lut[size_t(k)] = step == 0 ? uint8_t(k) : uint8_t(std::min<int64_t>(255, (below + step / 2) / step));
    below += histogram[size_t(k)];
  }
  return lut;
}

}  // namespace

void equalize(std::span<float> image, const ImageShape& shape) {
  check_sample("equalize", image, shape.numel(), image, shape.numel());
  std::vector<uint8_t> levels(size_t(shape.plane()));  // (H, W)
  for (int64_t c = 0; c < shape.channels; ++c) {
    std::span<float> plane = image.subspan(size_t(c * shape.plane()), size_t(shape.plane()));
    std::array<int64_t, kLevels> histogram{};
    for (size_t i = 0; i < plane.size(); ++i) {
      levels[i] = quantise(plane[i]);
      ++histogram[levels[i]];
    }
    const std::array<uint8_t, kLevels> lut = equalize_lut(histogram);
    for (size_t i = 0; i < plane.size(); ++i) plane[i] = float(lut[levels[i]]) / 255.0f;
  }
}

Schema Equalize::schema() {
  return {Option("p", 0.5,
                 "probability of equalising each channel's histogram (on the image as uint8); 0.5 as "
                 "torchvision's RandomEqualize")
              .range(0.0, 1.0)};
}

Equalize::Equalize(const Params& params) : Equalize(params.get<float>("p")) {}

Equalize::Equalize(float p) : ImageTransform("equalize"), p_(p) {}

void Equalize::transform(std::span<float> image, Rng& rng) const {
  if (rng.bernoulli(p_)) equalize(image, image_shape());
}

}  // namespace sslflow::augment
