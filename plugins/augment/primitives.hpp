// The image primitives the augment transforms are made of: plain functions on one image
// (C, H, W) of float32, testable on their own. Random ones draw every choice from `rng`,
// so a given stream always gives the same result. All are multi-channel: geometric and
// blur steps treat every channel alike; jitter and normalisation are per image or channel
// as stated. They write only the spans they are given and keep no state, so they may run
// on many images at once.
#pragma once

#include <cstdint>
#include <span>

#include "image.hpp"
#include "sslflow/random.hpp"

namespace sslflow::augment {

// Rows [top, top + height) and columns [left, left + width) of an image.
struct CropBox {
  int64_t top = 0;
  int64_t left = 0;
  int64_t height = 0;
  int64_t width = 0;
};

// A crop of an image of height x width as torchvision's RandomResizedCrop.get_params draws
// it: up to 10 attempts at an area fraction uniform in `scale` and an aspect ratio (w / h)
// log-uniform in `ratio`, rounded half to even; the first that fits is placed uniformly.
// When none fits, the central crop whose aspect ratio is clamped into `ratio`.
CropBox sample_crop_box(int64_t height, int64_t width, Interval scale, Interval ratio, Rng& rng);

// Resamples `box` of `in` to the whole of `out` with bilinear interpolation and
// align_corners=False semantics (torch.nn.functional.interpolate, no antialiasing):
// output pixel centres map to source coordinates (o + 0.5) * box / out - 0.5, clamped at 0.
void resize_crop(std::span<const float> in, const ImageShape& in_shape, const CropBox& box, std::span<float> out,
                 const ImageShape& out_shape);  // in (C, H, W), out (C, H', W')

// Mirrors every row: column x becomes column W - 1 - x.
void flip_horizontal(std::span<float> image, const ImageShape& shape);

// x -> clamp(factor * x, 0, 1), as torchvision's adjust_brightness on float images.
void adjust_brightness(std::span<float> image, float factor);

// x -> clamp(factor * x + (1 - factor) * m, 0, 1), m the mean grey level of the image: the
// mean of the ITU-R 601 luma for 3 channels (torchvision's adjust_contrast), else the mean
// of all values.
void adjust_contrast(std::span<float> image, const ImageShape& shape, float factor);

// Brightness and contrast with factors uniform in [max(0, 1 - strength), 1 + strength],
// applied in random order (torchvision's ColorJitter for those two).
void color_jitter(std::span<float> image, const ImageShape& shape, float strength, Rng& rng);

// Separable Gaussian blur of every channel with a kernel of radius max(1, ceil(3 sigma)).
// The borders extend by half-sample symmetry (d c b a | a b c d), so a constant image stays
// constant and the sum of each channel is preserved.
void gaussian_blur(std::span<float> image, const ImageShape& shape, float sigma);

// x -> 1 - x where x >= threshold, as torchvision's solarize on float images.
void solarize(std::span<float> image, float threshold);

// x -> x + std * n, n standard normal, one draw per value.
void add_gaussian_noise(std::span<float> image, float std, Rng& rng);

// x -> (x - mean[c]) / std[c] for channel c; one value in `mean` or `std` serves every channel.
void normalize(std::span<float> image, const ImageShape& shape, std::span<const float> mean,
               std::span<const float> std);

// Writes `count` ones and mask.size() - count zeros, the ones at positions chosen uniformly
// without replacement (a partial Fisher-Yates shuffle).
void sample_patch_mask(std::span<float> mask, int64_t count, Rng& rng);  // (T)

}  // namespace sslflow::augment
