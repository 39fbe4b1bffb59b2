#include "image.hpp"

#include <string>

#include "sslflow/error.hpp"

namespace sslflow::augment {

ImageShape ImageShape::from(const Shape& shape, const char* op) {
  if (shape.rank() != 3 || shape[0] <= 0 || shape[1] <= 0 || shape[2] <= 0)
    throw ShapeError(std::string(op) + ": expected an image [C, H, W], got " + shape.str());
  return {shape[0], shape[1], shape[2]};
}

void check_sample(const char* op, std::span<const float> in, int64_t in_numel, std::span<const float> out,
                  int64_t out_numel) {
  if (static_cast<int64_t>(in.size()) != in_numel || static_cast<int64_t>(out.size()) != out_numel)
    throw ShapeError(std::string(op) + ": expected a sample of " + std::to_string(in_numel) + " values into " +
                     std::to_string(out_numel) + ", got " + std::to_string(in.size()) + " into " +
                     std::to_string(out.size()));
}

}  // namespace sslflow::augment
