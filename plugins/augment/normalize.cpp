#include <string>

#include "options.hpp"
#include "primitives.hpp"
#include "sslflow/error.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

namespace {

float channel_value(std::span<const float> values, int64_t c) { return values[values.size() == 1 ? 0 : size_t(c)]; }

}  // namespace

void normalize(std::span<float> image, const ImageShape& shape, std::span<const float> mean,
               std::span<const float> std) {
  for (int64_t c = 0; c < shape.channels; ++c) {
    const float m = channel_value(mean, c), inverse = 1.0f / channel_value(std, c);
    for (float& x : image.subspan(size_t(c * shape.plane()), size_t(shape.plane()))) x = (x - m) * inverse;
  }
}

Schema Normalize::schema() {
  const std::string mnist = "the MNIST statistics, as PyTorch's MNIST example";
  return {mean_option({0.1307}, mnist), std_option({0.3081}, mnist)};
}

Normalize::Normalize(const Params& params)
    : Normalize(params.owner(), read_floats(params, "mean"), read_floats(params, "std")) {}

Normalize::Normalize(const std::string& owner, std::vector<float> mean, std::vector<float> std)
    : ImageTransform("normalize"), mean_(std::move(mean)), std_(std::move(std)) {
  if (mean_.empty() || mean_.size() != std_.size())
    throw OptionError(owner + ": options 'mean' and 'std' need the same number of values, got " +
                      std::to_string(mean_.size()) + " and " + std::to_string(std_.size()));
}

void Normalize::check(const ImageShape& shape) const {
  if (mean_.size() != 1 && static_cast<int64_t>(mean_.size()) != shape.channels)
    throw ShapeError("normalize: options 'mean' and 'std' have " + std::to_string(mean_.size()) +
                     " values each for an image " + shape.shape().str() + " of " + std::to_string(shape.channels) +
                     " channels; expected " + std::to_string(shape.channels) + " (one per channel) or 1 (for all)");
}

void Normalize::transform(std::span<float> image, Rng&) const { normalize(image, image_shape(), mean_, std_); }

}  // namespace sslflow::augment
