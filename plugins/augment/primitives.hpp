// The geometric, blur, noise, normalisation and mask primitives the augment transforms are
// made of (the colour ones are in color.hpp): plain functions on one image (C, H, W) of
// float32, testable on their own. Random ones draw every choice from `rng`, so a given
// stream always gives the same result. All are multi-channel: geometric and blur steps
// treat every channel alike; normalisation is per channel. They write only the spans they
// are given and keep no state, so they may run on many images at once.
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

// The sides of a Gaussian blur kernel in pixels, each odd.
struct BlurKernel {
  int64_t height = 1;
  int64_t width = 1;
};

// The kernel side SimCLR uses for an image side (Chen et al. 2020, appendix A: 10% of the
// image side; its code makes it odd as 2 * ((side / 10) / 2) + 1, so 224 -> 23 as BYOL,
// 96 -> 9, 28 -> 3, and below 20 pixels 1, no blur).
int64_t blur_kernel_side(int64_t image_side);

// torchvision's gaussian_blur(image, [kernel.width, kernel.height], [sigma, sigma]): a
// normalised Gaussian of `sigma` sampled at the kernel's integer offsets, applied to every
// channel separably (rows, then columns), the borders extended by reflection without
// repeating the edge (d c b | a b c d | c b a, torch's "reflect" padding). Throws
// ShapeError unless both kernel sides are odd and each half-side is smaller than the
// image's side along it (torch's reflect-padding limit).
void gaussian_blur(std::span<float> image, const ImageShape& shape, BlurKernel kernel, float sigma);

// x -> x + std * n, n standard normal, one draw per value.
void add_gaussian_noise(std::span<float> image, float std, Rng& rng);

// x -> (x - mean[c]) / std[c] for channel c; one value in `mean` or `std` serves every channel.
void normalize(std::span<float> image, const ImageShape& shape, std::span<const float> mean,
               std::span<const float> std);

// Writes `count` ones and mask.size() - count zeros, the ones at positions chosen uniformly
// without replacement (a partial Fisher-Yates shuffle).
void sample_patch_mask(std::span<float> mask, int64_t count, Rng& rng);  // (T)

}  // namespace sslflow::augment
