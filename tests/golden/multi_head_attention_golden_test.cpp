#include <catch2/catch.hpp>

#include "golden.hpp"
#include "sslflow/ops.hpp"

using namespace sslflow;
using golden::GoldenCase;

// torch.nn.MultiheadAttention(8, 2, batch_first=True), self-attention, no dropout.
TEST_CASE("Golden.multi_head_attention.b2_t5_d8_h2", "[golden]") {
  const GoldenCase g("multi_head_attention", "b2_t5_d8_h2");
  Var x = g.leaf("x");                              // (B=2, T=5, D=8)
  Var in_proj_weight = g.leaf("in_proj_weight");    // (3D, D)
  Var in_proj_bias = g.leaf("in_proj_bias");        // (3D)
  Var out_proj_weight = g.leaf("out_proj.weight");  // (D, D)
  Var out_proj_bias = g.leaf("out_proj.bias");      // (D)
  Var out = multi_head_attention(x, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, /*heads=*/2);
  g.expect_output(out);
  g.backward(out);
  g.expect_grads({{"x", x},
                  {"in_proj_weight", in_proj_weight},
                  {"in_proj_bias", in_proj_bias},
                  {"out_proj.weight", out_proj_weight},
                  {"out_proj.bias", out_proj_bias}});
}
