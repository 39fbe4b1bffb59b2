// Images as the augment transforms see them: one sample, float32, channels first (C, H, W),
// row-major, pixel values in [0, 1] until normalised.
#pragma once

#include <cstdint>
#include <span>

#include "sslflow/tensor.hpp"

namespace sslflow::augment {

struct ImageShape {
  int64_t channels = 0;
  int64_t height = 0;
  int64_t width = 0;

  int64_t plane() const { return height * width; }
  int64_t numel() const { return channels * plane(); }
  Shape shape() const { return {channels, height, width}; }

  // Throws ShapeError naming `op` unless `shape` is [C, H, W] with every side positive.
  static ImageShape from(const Shape& shape, const char* op);
};

// The range [low, high] a random value is drawn from.
struct Interval {
  float low = 0.0f;
  float high = 0.0f;
};

// Throws ShapeError naming `op` unless `in` holds `in_numel` values and `out` `out_numel`.
void check_sample(const char* op, std::span<const float> in, int64_t in_numel, std::span<const float> out,
                  int64_t out_numel);

}  // namespace sslflow::augment
