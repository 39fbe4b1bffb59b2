#include "shapes.hpp"

#include <algorithm>
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

int64_t visible_tokens(const char* plugin, const Tensor& mask) {
  const int64_t batch = mask.dim(0), tokens = mask.dim(1);
  auto visible_in = [&](int64_t b) {
    const float* flags = mask.data() + b * tokens;
    return static_cast<int64_t>(std::count(flags, flags + tokens, 0.0f));
  };
  const int64_t visible = visible_in(0);
  for (int64_t b = 1; b < batch; ++b)
    if (const int64_t other = visible_in(b); other != visible)
      throw ShapeError(std::string(plugin) + ": dropping the masked tokens needs every sample to keep as many, but "
                       "sample 0 keeps " + std::to_string(visible) + " of " + std::to_string(tokens) + " and sample " +
                       std::to_string(b) + " keeps " + std::to_string(other));
  return visible;
}

}  // namespace sslflow::encoders
