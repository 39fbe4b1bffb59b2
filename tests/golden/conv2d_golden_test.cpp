#include <catch2/catch.hpp>
#include <string>

#include "golden.hpp"
#include "sslflow/ops.hpp"

using namespace sslflow;
using golden::GoldenCase;

// x (2, 3, H, W), weight (4, 3, 3, 3), bias (4), padding 1.
static void check_conv2d(const std::string& case_name, int stride) {
  const GoldenCase g("conv2d", case_name);
  Var x = g.leaf("x"), weight = g.leaf("weight"), bias = g.leaf("bias");
  Var out = conv2d(x, weight, bias, stride, /*padding=*/1);
  g.expect_output(out);
  g.backward(out);
  g.expect_grads({{"x", x}, {"weight", weight}, {"bias", bias}});
}

TEST_CASE("Golden.conv2d.stride1", "[golden]") { check_conv2d("stride1", 1); }  // (2, 3, 5, 6) -> (2, 4, 5, 6)

TEST_CASE("Golden.conv2d.stride2", "[golden]") { check_conv2d("stride2", 2); }  // (2, 3, 7, 6) -> (2, 4, 4, 3)
