// Images stored channels-last, (N, H, W, C) as NumPy, PIL and TensorFlow hand them out,
// next to the (N, C, H, W) that sslflow reads.
//
// looks_channels_last() is the test for the likely mistake: a last dimension of 1, 3 or 4
// (grey, RGB, RGBA) after a larger one where the channels belong, as in (N, 32, 32, 3),
// which read as (N, C, H, W) would be 32 channels of 32 x 3 pixels.
// to_channels_first() reorders the pixels of such an array into (N, C, H, W).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sslflow::data {

bool looks_channels_last(const std::vector<int64_t>& shape);

// `pixels` holds (N, H, W, C) = `shape` in C order; returns them as (N, C, H, W).
template <class T>
std::vector<T> to_channels_first(const std::vector<T>& pixels, const std::vector<int64_t>& shape) {
  const auto n = static_cast<size_t>(shape[0]), h = static_cast<size_t>(shape[1]);
  const auto w = static_cast<size_t>(shape[2]), c = static_cast<size_t>(shape[3]);
  std::vector<T> out(pixels.size());  // (N, C, H, W)
  for (size_t i = 0; i < n; ++i)
    for (size_t y = 0; y < h; ++y)
      for (size_t x = 0; x < w; ++x)
        for (size_t k = 0; k < c; ++k) out[((i * c + k) * h + y) * w + x] = pixels[((i * h + y) * w + x) * c + k];
  return out;
}

}  // namespace sslflow::data
