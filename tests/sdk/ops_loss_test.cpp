#include <catch2/catch.hpp>

#include <vector>

#include "op_inputs.hpp"
#include "sslflow/sdk.hpp"
#include "sslflow/testing/gradcheck.hpp"

using namespace sslflow;
using sslflow::testing::gradcheck;
using sslflow::testing::leaf;
using sslflow::testing::signed_leaf;
using sslflow::testing::uniform_leaf;
using sslflow::testing::values;

namespace {

// A target that differs from pred by magnitudes in [low, high): away from the kinks of
// smooth L1 at 0 and at beta under gradcheck's 0.01 step.
Var offset_target(const Var& pred, uint64_t stream, float low, float high) {
  Var offset = signed_leaf(pred.shape(), stream, low, high);
  Tensor t = pred.value().clone();
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] += offset.value().data()[i];
  return Var(t, true);
}

}  // namespace

TEST_CASE("Loss.mse.values_per_reduction", "[grad]") {
  Var pred = leaf(Shape{3}, {1, 2, 3});
  Var target = leaf(Shape{3}, {0, 2, 5});
  REQUIRE(mse_loss(pred, target).value().item() == Approx(5.0 / 3.0));
  REQUIRE(mse_loss(pred, target, Reduction::Sum).value().item() == 5.0f);
  REQUIRE(values(mse_loss(pred, target, Reduction::None).value()) == std::vector<float>{1, 0, 4});
  mse_loss(pred, target, Reduction::Sum).backward();
  REQUIRE(values(pred.grad()) == std::vector<float>{2, 0, -4});
  REQUIRE(values(target.grad()) == std::vector<float>{-2, 0, 4});
}

TEST_CASE("Loss.smooth_l1.values_per_reduction", "[grad]") {
  Var pred = leaf(Shape{2, 2}, {1, 2, 3, 0.5f});
  Var target = leaf(Shape{2, 2}, {0, 2, 5, 0});
  // d = 1, 0, -2, 0.5 -> 0.5, 0, 1.5, 0.125 with beta 1
  REQUIRE(values(smooth_l1_loss(pred, target, 1.0f, Reduction::None).value()) ==
          std::vector<float>{0.5f, 0, 1.5f, 0.125f});
  REQUIRE(smooth_l1_loss(pred, target, 1.0f, Reduction::Sum).value().item() == 2.125f);
  REQUIRE(smooth_l1_loss(pred, target).value().item() == Approx(2.125 / 4));
  // beta 2: 0.25, 0, 1, 0.0625; beta 0 is L1
  REQUIRE(smooth_l1_loss(pred, target, 2.0f, Reduction::Sum).value().item() == 1.3125f);
  REQUIRE(smooth_l1_loss(pred, target, 0.0f, Reduction::Sum).value().item() == 3.5f);
  smooth_l1_loss(pred, target, 1.0f, Reduction::Sum).backward();
  REQUIRE(values(pred.grad()) == std::vector<float>{1, 0, -1, 0.5f});
}

TEST_CASE("Loss.mse.gradcheck", "[grad]") {
  for (Reduction reduction : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    auto r = gradcheck([=](const std::vector<Var>& in) { return mse_loss(in[0], in[1], reduction); },
                       {uniform_leaf(Shape{4, 5}, 1), uniform_leaf(Shape{4, 5}, 2)});
    INFO(r.report);
    REQUIRE(r.ok);
  }
}

TEST_CASE("Loss.smooth_l1.gradcheck_both_branches", "[grad]") {
  const float beta = 0.5f;
  Var pred = uniform_leaf(Shape{3, 6}, 3);
  for (Reduction reduction : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    // Quadratic branch (|d| < beta), then linear branch (|d| > beta).
    for (Var target : {offset_target(pred, 4, 0.05f, 0.45f), offset_target(pred, 5, 0.55f, 2.0f)}) {
      auto r = gradcheck([=](const std::vector<Var>& in) { return smooth_l1_loss(in[0], in[1], beta, reduction); },
                         {pred, target});
      INFO(r.report);
      REQUIRE(r.ok);
    }
  }
}

TEST_CASE("Loss.regression.shape_mismatch_throws", "[grad]") {
  Var pred = uniform_leaf(Shape{4, 5}, 1);
  REQUIRE_THROWS_AS(mse_loss(pred, uniform_leaf(Shape{5}, 2)), ShapeError);
  REQUIRE_THROWS_AS(smooth_l1_loss(pred, uniform_leaf(Shape{5, 4}, 2)), ShapeError);
  REQUIRE_THROWS_AS(smooth_l1_loss(pred, pred, -1.0f), Error);
}
