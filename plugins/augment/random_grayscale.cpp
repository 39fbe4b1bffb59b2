#include "color.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

Schema RandomGrayscale::schema() {
  return {Option("p", 0.2,
                 "probability of replacing an RGB image by its grey level on all 3 channels; 0.2 as SimCLR, "
                 "SimSiam and BYOL (torchvision's RandomGrayscale defaults to 0.1); grey images are unchanged")
              .range(0.0, 1.0)};
}

RandomGrayscale::RandomGrayscale(const Params& params) : RandomGrayscale(params.get<float>("p")) {}

RandomGrayscale::RandomGrayscale(float p) : ImageTransform("random_grayscale"), p_(p) {}

void RandomGrayscale::check(const ImageShape& shape) const { check_color_channels(op(), shape); }

void RandomGrayscale::transform(std::span<float> image, Rng& rng) const {
  if (rng.bernoulli(p_)) to_grayscale(image, image_shape());
}

}  // namespace sslflow::augment
