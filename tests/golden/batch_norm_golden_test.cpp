#include <catch2/catch.hpp>
#include <string>

#include "golden.hpp"
#include "sslflow/ops.hpp"

using namespace sslflow;
using golden::GoldenCase;

// Training mode, momentum 0.1, eps 1e-5: batch statistics, running statistics updated.
static void check_batch_norm(const std::string& case_name) {
  const GoldenCase g("batch_norm", case_name);
  Var x = g.leaf("x"), weight = g.leaf("weight"), bias = g.leaf("bias");
  Tensor running_mean = g.tensor("running_mean").clone();  // (C)
  Tensor running_var = g.tensor("running_var").clone();    // (C)
  Var out = batch_norm(x, weight, bias, running_mean, running_var, /*training=*/true, 0.1f, 1e-5f);
  g.expect_output(out);
  g.expect("running_mean.updated", running_mean);
  g.expect("running_var.updated", running_var);
  g.backward(out);
  g.expect_grads({{"x", x}, {"weight", weight}, {"bias", bias}});
}

TEST_CASE("Golden.batch_norm.bn1d", "[golden]") { check_batch_norm("bn1d"); }  // x (6, 4)

TEST_CASE("Golden.batch_norm.bn2d", "[golden]") { check_batch_norm("bn2d"); }  // x (3, 4, 3, 2)
