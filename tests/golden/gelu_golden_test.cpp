#include <catch2/catch.hpp>

#include "golden.hpp"
#include "sslflow/ops.hpp"

using namespace sslflow;
using golden::GoldenCase;

TEST_CASE("Golden.gelu.exact", "[golden]") {
  const GoldenCase g("gelu", "exact");
  Var x = g.leaf("x");  // (3, 7)
  Var out = gelu(x);
  g.expect_output(out);
  g.backward(out);
  g.expect_grads({{"x", x}});
}
