#include "transforms.hpp"

#include <algorithm>

namespace sslflow::augment {

Shape ImageTransform::setup(const Shape& sample_shape, const NodeSetup&) {
  image_ = ImageShape::from(sample_shape, op_);
  check(image_);
  return sample_shape;
}

void ImageTransform::check(const ImageShape&) const {}

void ImageTransform::apply(std::span<const float> in, std::span<float> out, Rng& rng) const {
  check_sample(op_, in, image_.numel(), out, image_.numel());
  std::copy(in.begin(), in.end(), out.begin());
  transform(out, rng);
}

}  // namespace sslflow::augment
