#include <catch2/catch.hpp>

#include "golden.hpp"
#include "sslflow/ops.hpp"

using namespace sslflow;
using golden::GoldenCase;

TEST_CASE("Golden.layer_norm.affine", "[golden]") {
  const GoldenCase g("layer_norm", "affine");
  Var x = g.leaf("x"), weight = g.leaf("weight"), bias = g.leaf("bias");  // (2, 3, 8), (8), (8)
  Var out = layer_norm(x, weight, bias, 1e-5f);
  g.expect_output(out);
  g.backward(out);
  g.expect_grads({{"x", x}, {"weight", weight}, {"bias", bias}});
}
