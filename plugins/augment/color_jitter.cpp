#include <algorithm>
#include <utility>

#include "color.hpp"
#include "options.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

namespace {

// A factor uniform in [max(0, 1 - strength), 1 + strength]; none for strength 0.
std::optional<float> sample_factor(float strength, Rng& rng) {
  if (strength <= 0.0f) return std::nullopt;
  return rng.uniform(std::max(0.0f, 1.0f - strength), 1.0f + strength);
}

}  // namespace

JitterParams sample_jitter_params(const JitterStrengths& strengths, Rng& rng) {
  JitterParams params;
  for (size_t i = params.order.size() - 1; i > 0; --i)  // Fisher-Yates
    std::swap(params.order[i], params.order[size_t(rng.below(i + 1))]);
  params.brightness = sample_factor(strengths.brightness, rng);
  params.contrast = sample_factor(strengths.contrast, rng);
  params.saturation = sample_factor(strengths.saturation, rng);
  if (strengths.hue > 0.0f) params.hue = rng.uniform(-strengths.hue, strengths.hue);
  return params;
}

void apply_jitter(std::span<float> image, const ImageShape& shape, const JitterParams& params) {
  for (ColorAdjustment adjustment : params.order) switch (adjustment) {
      case ColorAdjustment::Brightness:
        if (params.brightness) adjust_brightness(image, *params.brightness);
        break;
      case ColorAdjustment::Contrast:
        if (params.contrast) adjust_contrast(image, shape, *params.contrast);
        break;
      case ColorAdjustment::Saturation:
        if (params.saturation) adjust_saturation(image, shape, *params.saturation);
        break;
      case ColorAdjustment::Hue:
        if (params.hue) adjust_hue(image, shape, *params.hue);
        break;
    }
}

void color_jitter(std::span<float> image, const ImageShape& shape, const JitterStrengths& strengths, Rng& rng) {
  apply_jitter(image, shape, sample_jitter_params(strengths, rng));
}

Schema ColorJitter::schema() {
  return {strength_option("strength"), saturation_option("saturation"), hue_option("hue"),
          Option("p", 0.8, "probability of jittering the image (RandomApply); 0.8 as SimCLR, SimSiam and BYOL")
              .range(0.0, 1.0)};
}

ColorJitter::ColorJitter(const Params& params)
    : ColorJitter(read_jitter_strengths(params, "strength"), params.get<float>("p")) {}

ColorJitter::ColorJitter(JitterStrengths strengths, float p)
    : ImageTransform("color_jitter"), strengths_(strengths), p_(p) {}

void ColorJitter::check(const ImageShape& shape) const { check_color_channels(op(), shape); }

void ColorJitter::transform(std::span<float> image, Rng& rng) const {
  if (rng.bernoulli(p_)) color_jitter(image, image_shape(), strengths_, rng);
}

}  // namespace sslflow::augment
