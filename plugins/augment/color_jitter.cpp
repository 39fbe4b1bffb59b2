#include <algorithm>
#include <numeric>

#include "options.hpp"
#include "primitives.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

namespace {

// torchvision's rgb_to_grayscale weights (ITU-R 601 luma).
constexpr float kLuma[3] = {0.2989f, 0.587f, 0.114f};

float clamp_unit(float x) { return std::clamp(x, 0.0f, 1.0f); }

float mean_grey(std::span<const float> image, const ImageShape& shape) {
  if (shape.channels != 3) return std::accumulate(image.begin(), image.end(), 0.0) / double(image.size());
  double sum = 0.0;
  for (int64_t c = 0; c < 3; ++c) {
    auto plane = image.subspan(size_t(c * shape.plane()), size_t(shape.plane()));  // (H, W)
    sum += kLuma[c] * std::accumulate(plane.begin(), plane.end(), 0.0);
  }
  return static_cast<float>(sum / double(shape.plane()));
}

}  // namespace

void adjust_brightness(std::span<float> image, float factor) {
  for (float& x : image) x = clamp_unit(factor * x);
}

void adjust_contrast(std::span<float> image, const ImageShape& shape, float factor) {
  const float offset = (1.0f - factor) * mean_grey(image, shape);
  for (float& x : image) x = clamp_unit(factor * x + offset);
}

void color_jitter(std::span<float> image, const ImageShape& shape, float strength, Rng& rng) {
  const bool brightness_first = rng.bernoulli(0.5f);
  const float low = std::max(0.0f, 1.0f - strength), high = 1.0f + strength;
  const float brightness = rng.uniform(low, high);
  const float contrast = rng.uniform(low, high);
  if (brightness_first) adjust_brightness(image, brightness);
  adjust_contrast(image, shape, contrast);
  if (!brightness_first) adjust_brightness(image, brightness);
}

Schema ColorJitter::schema() {
  return {strength_option("strength"),
          Option("p", 0.8, "probability of jittering the image; 0.8 as SimSiam").range(0.0, 1.0)};
}

ColorJitter::ColorJitter(const Params& params) : ColorJitter(params.get<float>("strength"), params.get<float>("p")) {}

ColorJitter::ColorJitter(float strength, float p) : ImageTransform("color_jitter"), strength_(strength), p_(p) {}

void ColorJitter::transform(std::span<float> image, Rng& rng) const {
  if (rng.bernoulli(p_)) color_jitter(image, image_shape(), strength_, rng);
}

}  // namespace sslflow::augment
