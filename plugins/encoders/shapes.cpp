#include "shapes.hpp"

#include <string>

#include "sslflow/error.hpp"

namespace sslflow::encoders {

void check_image_sample(const char* plugin, const Shape& sample) {
  if (sample.rank() != 3)
    throw ShapeError(std::string(plugin) + ": expected images of shape [C, H, W], got samples of shape " +
                     sample.str());
}

PatchGrid patch_grid(const char* plugin, const Shape& sample, int64_t patch) {
  check_image_sample(plugin, sample);
  if (sample[1] % patch != 0 || sample[2] % patch != 0)
    throw ShapeError(std::string(plugin) + ": patch size " + std::to_string(patch) +
                     " does not divide the image size " + std::to_string(sample[1]) + " x " +
                     std::to_string(sample[2]) + " of samples " + sample.str());
  return {sample[0], sample[1] / patch, sample[2] / patch, patch};
}

void check_images(const char* plugin, const Var& x, const Shape& sample) {
  const Shape& shape = x.shape();
  bool fits = shape.rank() == sample.rank() + 1 && shape[0] >= 1;
  for (int d = 0; fits && d < sample.rank(); ++d) fits = shape[d + 1] == sample[d];
  if (!fits) {
    std::string expected = "[B";
    for (int64_t d : sample) expected += ", " + std::to_string(d);
    throw ShapeError(std::string(plugin) + ": expected input " + expected + "] (set up for samples " +
                     sample.str() + "), got " + shape.str());
  }
}

void check_image_channels(const char* plugin, const Var& x, const Shape& sample) {
  const Shape& shape = x.shape();
  if (shape.rank() != 4 || shape[0] < 1 || shape[1] != sample[0] || shape[2] < 1 || shape[3] < 1)
    throw ShapeError(std::string(plugin) + ": expected input [B, " + std::to_string(sample[0]) +
                     ", H, W] (images of any size with the channels it was set up for, " + sample.str() + "), got " +
                     shape.str());
}

void check_mask(const char* plugin, const Tensor& mask, int64_t batch, int64_t tokens) {
  if (!(mask.shape() == Shape{batch, tokens}))
    throw ShapeError(std::string(plugin) + ": expected a mask of shape " + Shape{batch, tokens}.str() +
                     " (one flag per token), got " + mask.shape().str());
}

}  // namespace sslflow::encoders
