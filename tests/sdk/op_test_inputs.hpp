// Inputs for op tests: tensors drawn from named sslflow::Rng streams, so each test case is
// reproducible on its own; and require_close, to compare an op's output with another.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string_view>
#include <utility>

#include "sslflow/sdk.hpp"

namespace sslflow::test_inputs {

// Uniform values in [low, high).
inline Tensor uniform(const Shape& shape, std::string_view stream, float low = -1.0f, float high = 1.0f) {
  Tensor t(shape);
  Rng rng(2024, stream);
  for (float& v : t.values()) v = rng.uniform(low, high);
  return t;
}

// A leaf Var that requires a gradient, with uniform values in [low, high).
inline Var param(const Shape& shape, std::string_view stream, float low = -1.0f, float high = 1.0f) {
  return Var(uniform(shape, stream, low, high), true);
}

// A tensor whose values are the distinct, well-separated multiples of `step` in shuffled
// order (no ties: safe for max-pooling gradient checks).
inline Tensor distinct(const Shape& shape, std::string_view stream, float step = 0.1f) {
  Tensor t(shape);
  const int64_t n = t.numel();
  for (int64_t i = 0; i < n; ++i) t.data()[i] = step * static_cast<float>(i - n / 2);
  Rng rng(2024, stream);
  for (int64_t i = n - 1; i > 0; --i) std::swap(t.data()[i], t.data()[rng.below(static_cast<uint64_t>(i + 1))]);
  return t;
}

// got and want have one shape and agree within tolerance, element by element.
inline void require_close(const Tensor& got, const Tensor& want, float tolerance) {
  REQUIRE(got.shape() == want.shape());
  for (int64_t i = 0; i < got.numel(); ++i)
    REQUIRE_THAT(got.data()[i], Catch::Matchers::WithinAbs(want.data()[i], tolerance));
}

}  // namespace sslflow::test_inputs
