// What the tests of plugins/augment share: random images and transforms built as the
// engine builds them.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "image.hpp"
#include "sslflow/params.hpp"
#include "sslflow/random.hpp"

namespace sslflow::augment::testing {

// An image of `shape` with values uniform in [0, 1), from its own stream.
inline std::vector<float> random_image(const ImageShape& shape, uint64_t index = 0) {
  Rng rng(11, "test.image", index);
  std::vector<float> image(size_t(shape.numel()));
  for (float& x : image) x = rng.uniform();
  return image;
}

// A transform built from its schema and `options`, as the engine builds it.
template <class T>
T make(Value::Map options = {}) {
  return T(Params::resolve("transform/test", T::schema(), Value(std::move(options))));
}

}  // namespace sslflow::augment::testing
