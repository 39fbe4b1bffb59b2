#include "color.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

void solarize(std::span<float> image, float threshold) {
  for (float& x : image)
    if (x >= threshold) x = 1.0f - x;
}

Schema Solarize::schema() {
  return {Option("p", 0.2, "probability of solarizing the image; 0.2 as BYOL's second view").range(0.0, 1.0),
          Option("threshold", 0.5,
                 "values at or above it are inverted (torchvision's RandomSolarize); 0.5 as BYOL and solo-learn "
                 "(128 of 255)")
              .range(0.0, 1.0)};
}

Solarize::Solarize(const Params& params) : Solarize(params.get<float>("p"), params.get<float>("threshold")) {}

Solarize::Solarize(float p, float threshold) : ImageTransform("solarize"), p_(p), threshold_(threshold) {}

void Solarize::transform(std::span<float> image, Rng& rng) const {
  if (rng.bernoulli(p_)) solarize(image, threshold_);
}

}  // namespace sslflow::augment
