#include <catch2/catch.hpp>
#include <string>

#include "golden.hpp"
#include "sslflow/ops.hpp"

using namespace sslflow;
using golden::GoldenCase;

// pred, target (4, 5), spread so that both the quadratic and the linear branch occur.
static void check_smooth_l1_loss(const std::string& case_name, float beta, Reduction reduction) {
  const GoldenCase g("smooth_l1_loss", case_name);
  Var pred = g.leaf("pred"), target = g.leaf("target");
  Var out = smooth_l1_loss(pred, target, beta, reduction);
  g.expect_output(out);
  g.backward(out);
  g.expect_grads({{"pred", pred}, {"target", target}});
}

TEST_CASE("Golden.smooth_l1_loss.beta2_mean", "[golden]") { check_smooth_l1_loss("beta2_mean", 2.0f, Reduction::Mean); }

TEST_CASE("Golden.smooth_l1_loss.beta1_none", "[golden]") { check_smooth_l1_loss("beta1_none", 1.0f, Reduction::None); }
