#include <algorithm>

#include "primitives.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

void flip_horizontal(std::span<float> image, const ImageShape& shape) {
  for (int64_t row = 0; row < shape.channels * shape.height; ++row) {
    float* begin = image.data() + row * shape.width;  // (W)
    std::reverse(begin, begin + shape.width);
  }
}

Schema HorizontalFlip::schema() {
  return {Option("p", 0.5, "probability of mirroring the image; 0.5 as SimSiam").range(0.0, 1.0)};
}

HorizontalFlip::HorizontalFlip(const Params& params) : HorizontalFlip(params.get<float>("p")) {}

HorizontalFlip::HorizontalFlip(float p) : ImageTransform("horizontal_flip"), p_(p) {}

void HorizontalFlip::transform(std::span<float> image, Rng& rng) const {
  if (rng.bernoulli(p_)) flip_horizontal(image, image_shape());
}

}  // namespace sslflow::augment
