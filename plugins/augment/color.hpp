// The colour primitives of the augment transforms: torchvision.transforms.functional's
// colour ops on one float32 image (C, H, W) with values in [0, 1], same formulas, same
// float32 arithmetic. Images of 3 channels are RGB; images of 1 channel are grey, and for
// them saturation, hue and grayscale are the identity (as torchvision, matching PIL). The
// ops that need to know which (contrast, saturation, hue, grayscale) throw ShapeError for
// any other channel count. The deterministic ops take their factors; color_jitter draws
// them from `rng`. All write only the spans they are given and keep no state, so they may
// run on many images at once.
#pragma once

#include <array>
#include <optional>
#include <span>

#include "image.hpp"
#include "sslflow/random.hpp"

namespace sslflow::augment {

// Throws ShapeError naming `op` unless `shape` has 1 (grey) or 3 (RGB) channels.
void check_color_channels(const char* op, const ImageShape& shape);
// The same, and unless `image` holds the shape's number of values.
void check_color_image(const char* op, std::span<const float> image, const ImageShape& shape);

// The grey level (H, W) of `image`: 0.2989 R + 0.587 G + 0.114 B for RGB (torchvision's
// rgb_to_grayscale, ITU-R 601-2 luma; PIL's convert("L") rounds 0.299 to integers), a copy
// of a grey image.
void rgb_to_grayscale(std::span<const float> image, const ImageShape& shape, std::span<float> gray);  // (H, W)

// Every channel becomes the grey level: torchvision's RandomGrayscale on RGB (the grey
// image replicated to 3 channels); a grey image is unchanged.
void to_grayscale(std::span<float> image, const ImageShape& shape);

// x -> clamp(factor * x, 0, 1): a blend with black (torchvision's adjust_brightness).
void adjust_brightness(std::span<float> image, float factor);

// x -> clamp(factor * x + (1 - factor) * m, 0, 1), m the mean of the grey level
// (torchvision's adjust_contrast).
void adjust_contrast(std::span<float> image, const ImageShape& shape, float factor);

// x -> clamp(factor * x + (1 - factor) * grey, 0, 1) per pixel (adjust_saturation).
void adjust_saturation(std::span<float> image, const ImageShape& shape, float factor);

// RGB -> HSV, h -> (h + shift) mod 1, HSV -> RGB (adjust_hue; PIL's conversion formulas);
// `shift` is a fraction of a full turn, in [-0.5, 0.5].
void adjust_hue(std::span<float> image, const ImageShape& shape, float shift);

// The ranges of torchvision's ColorJitter(brightness, contrast, saturation, hue): the
// first three factors uniform in [max(0, 1 - s), 1 + s], the hue shift uniform in
// [-hue, hue]; a strength of 0 leaves that adjustment out.
struct JitterStrengths {
  float brightness = 0.0f;
  float contrast = 0.0f;
  float saturation = 0.0f;
  float hue = 0.0f;
};

enum class ColorAdjustment { Brightness, Contrast, Saturation, Hue };

// One draw of ColorJitter.get_params: the order of the four adjustments and the factor of
// each that is in use (unset: left out).
struct JitterParams {
  std::array<ColorAdjustment, 4> order{ColorAdjustment::Brightness, ColorAdjustment::Contrast,
                                       ColorAdjustment::Saturation, ColorAdjustment::Hue};
  std::optional<float> brightness;
  std::optional<float> contrast;
  std::optional<float> saturation;
  std::optional<float> hue;
};

// A uniformly random order (torchvision's randperm(4)), then the factors in the order
// brightness, contrast, saturation, hue, as ColorJitter.get_params draws them.
JitterParams sample_jitter_params(const JitterStrengths& strengths, Rng& rng);

// Applies the adjustments of `params` that are set, in its order (ColorJitter.forward).
void apply_jitter(std::span<float> image, const ImageShape& shape, const JitterParams& params);

// apply_jitter with sample_jitter_params(strengths, rng): torchvision's ColorJitter.
void color_jitter(std::span<float> image, const ImageShape& shape, const JitterStrengths& strengths, Rng& rng);

// x -> 1 - x where x >= threshold, as torchvision's solarize on float images.
void solarize(std::span<float> image, float threshold);

// torchvision's equalize on the image as uint8: each value quantised as convert_image_dtype
// does (floor(x * 255.999), after clamping into [0, 1]), each channel's histogram equalised
// as torchvision and PIL's ImageOps.equalize do, and the levels mapped back to level / 255.
void equalize(std::span<float> image, const ImageShape& shape);

}  // namespace sslflow::augment
