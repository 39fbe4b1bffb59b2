// Resizing as torchvision does it on PIL images, so that a model sees the pixels it would
// see in PyTorch.
//
// resize_and_center_crop() is torchvision's Resize(size) followed by CenterCrop(size) on a
// PIL image: the shorter side to `size`, the longer to int(size * long / short), then the
// centred size x size window, its offset rounded half to even as Python's round(). The
// resize is PIL's Image.resize(..., Image.BILINEAR) for 8-bit images, which torchvision's
// resize calls on a PIL image (its antialias flag has no effect there: PIL always
// antialiases): a triangle filter stretched by the scale factor when shrinking, PIL's
// coefficients rounded to 22-bit fixed point, the horizontal pass first into 8-bit
// pixels, then the vertical pass, an axis that keeps its size skipping its pass. Only the
// window is computed, so a very long image costs no more than its crop.
// to_grayscale() is PIL's convert("L"): (19595 R + 38470 G + 7471 B + 32768) >> 16.
// Threading: pure functions.
#pragma once

#include <cstdint>

#include "decoded_image.hpp"

namespace sslflow::data {

DecodedImage resize_and_center_crop(const DecodedImage& image, int64_t size);
DecodedImage to_grayscale(const DecodedImage& rgb);

}  // namespace sslflow::data
