// Test inputs for op tests: Vars filled from a named Rng stream, so every test is
// reproducible and two inputs of one test never share values.
#pragma once

#include <string_view>

#include "sslflow/autograd.hpp"
#include "sslflow/random.hpp"

namespace sslflow::testing {

// A Var of `shape` with normal(0, 1) * scale entries from stream (7, what).
inline Var random_input(Shape shape, std::string_view what, float scale = 1.0f, bool requires_grad = true) {
  Tensor t(shape);
  Rng rng(7, what);
  for (float& v : t.values()) v = rng.normal() * scale;
  return Var(t, requires_grad);
}

}  // namespace sslflow::testing
