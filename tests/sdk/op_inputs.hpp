// Inputs for op tests: leaves with given values, or with values from a named Rng stream so
// every test draws the same numbers on every run; and values(), a tensor's elements as a
// vector to compare with the expected ones.
#pragma once

#include <cstdint>
#include <vector>

#include "sslflow/autograd.hpp"
#include "sslflow/random.hpp"

namespace sslflow::testing {

inline Var leaf(Shape shape, std::vector<float> values, bool requires_grad = true) {
  return Var(Tensor(shape, values), requires_grad);
}

// Uniform in [low, high).
inline Var uniform_leaf(Shape shape, uint64_t stream, float low = -1.0f, float high = 1.0f) {
  Rng rng(11, "op_test", stream);
  Tensor t = Tensor::uninitialized(shape);
  for (float& v : t.values()) v = rng.uniform(low, high);
  return Var(t, true);
}

// Magnitudes in [low, high) with random signs: inputs kept away from a kink at 0.
inline Var signed_leaf(Shape shape, uint64_t stream, float low, float high) {
  Rng rng(11, "op_test.signed", stream);
  Tensor t = Tensor::uninitialized(shape);
  for (float& v : t.values()) v = rng.uniform(low, high) * (rng.bernoulli(0.5f) ? 1.0f : -1.0f);
  return Var(t, true);
}

// The elements in row-major order.
inline std::vector<float> values(const Tensor& t) { return {t.values().begin(), t.values().end()}; }
inline std::vector<float> values(const Var& v) { return values(v.value()); }

}  // namespace sslflow::testing
