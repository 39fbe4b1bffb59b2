#include <catch2/catch.hpp>

#include "golden.hpp"
#include "sslflow/ops.hpp"

using namespace sslflow;
using golden::GoldenCase;

TEST_CASE("Golden.linear.bias", "[golden]") {
  const GoldenCase g("linear", "bias");
  Var x = g.leaf("x"), weight = g.leaf("weight"), bias = g.leaf("bias");  // (4, 6), (5, 6), (5)
  Var out = linear(x, weight, bias);
  g.expect_output(out);
  g.backward(out);
  g.expect_grads({{"x", x}, {"weight", weight}, {"bias", bias}});
}

TEST_CASE("Golden.linear.batched_no_bias", "[golden]") {
  const GoldenCase g("linear", "batched_no_bias");
  Var x = g.leaf("x"), weight = g.leaf("weight");  // (2, 3, 6), (5, 6)
  Var out = linear(x, weight);
  g.expect_output(out);
  g.backward(out);
  g.expect_grads({{"x", x}, {"weight", weight}});
}
