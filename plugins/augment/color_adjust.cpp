// torchvision's blends: brightness, contrast, saturation, and the grey level they blend with.
#include <algorithm>
#include <string>
#include <vector>

#include "color.hpp"
#include "sslflow/error.hpp"

namespace sslflow::augment {

namespace {

// torchvision's rgb_to_grayscale weights.
constexpr float kLuma[3] = {0.2989f, 0.587f, 0.114f};

float clamp_unit(float x) { return std::clamp(x, 0.0f, 1.0f); }

// torchvision's _blend(a, b, ratio): clamp(ratio * a + (1 - ratio) * b, 0, 1), the
// complement taken in double as Python does before the float32 product.
struct Blend {
  explicit Blend(float ratio) : keep(ratio), mix(static_cast<float>(1.0 - double(ratio))) {}
  float operator()(float a, float b) const { return clamp_unit(keep * a + mix * b); }
  float keep;
  float mix;
};

std::vector<float> grey_level(std::span<const float> image, const ImageShape& shape) {
  std::vector<float> gray(size_t(shape.plane()));  // (H, W)
  rgb_to_grayscale(image, shape, gray);
  return gray;
}

std::span<float> channel(std::span<float> image, const ImageShape& shape, int64_t c) {
  return image.subspan(size_t(c * shape.plane()), size_t(shape.plane()));
}

}  // namespace

void check_color_channels(const char* op, const ImageShape& shape) {
  if (shape.channels != 1 && shape.channels != 3)
    throw ShapeError(std::string(op) + ": expected a grey (1-channel) or RGB (3-channel) image, got " +
                     shape.shape().str());
}

void check_color_image(const char* op, std::span<const float> image, const ImageShape& shape) {
  check_color_channels(op, shape);
  if (image.size() != size_t(shape.numel()))
    throw ShapeError(std::string(op) + ": expected an image " + shape.shape().str() + " of " +
                     std::to_string(shape.numel()) + " values, got " + std::to_string(image.size()));
}

void rgb_to_grayscale(std::span<const float> image, const ImageShape& shape, std::span<float> gray) {
  check_color_image("rgb_to_grayscale", image, shape);
  const auto plane = size_t(shape.plane());
  if (gray.size() != plane)
    throw ShapeError("rgb_to_grayscale: expected " + std::to_string(plane) + " grey values for an image " +
                     shape.shape().str() + ", got " + std::to_string(gray.size()));
  if (shape.channels == 1) {
    std::copy(image.begin(), image.end(), gray.begin());
    return;
  }
  const float *r = image.data(), *g = r + plane, *b = g + plane;
  for (size_t i = 0; i < plane; ++i) gray[i] = kLuma[0] * r[i] + kLuma[1] * g[i] + kLuma[2] * b[i];
}

void to_grayscale(std::span<float> image, const ImageShape& shape) {
  const std::vector<float> gray = grey_level(image, shape);
  for (int64_t c = 0; c < shape.channels; ++c) std::ranges::copy(gray, channel(image, shape, c).begin());
}

void adjust_brightness(std::span<float> image, float factor) {
  const Blend blend(factor);
  for (float& x : image) x = blend(x, 0.0f);
}

void adjust_contrast(std::span<float> image, const ImageShape& shape, float factor) {
  const std::vector<float> gray = grey_level(image, shape);
  double sum = 0.0;
  for (float v : gray) sum += v;
  const auto mean = static_cast<float>(sum / double(gray.size()));
  const Blend blend(factor);
  for (float& x : image) x = blend(x, mean);
}

void adjust_saturation(std::span<float> image, const ImageShape& shape, float factor) {
  check_color_image("adjust_saturation", image, shape);
  if (shape.channels == 1) return;
  const std::vector<float> gray = grey_level(image, shape);
  const Blend blend(factor);
  for (int64_t c = 0; c < shape.channels; ++c) {
    std::span<float> plane = channel(image, shape, c);
    for (size_t i = 0; i < plane.size(); ++i) plane[i] = blend(plane[i], gray[i]);
  }
}

}  // namespace sslflow::augment
