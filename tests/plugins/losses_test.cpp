#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "builtin_registry.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/loss.hpp"
#include "sslflow/ops.hpp"
#include "sslflow/testing/gradcheck.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using sslflow::Loss;
using sslflow::Shape;
using sslflow::Tensor;
using sslflow::Value;
using sslflow::Var;
using sslflow::testing::make_builtin;

namespace {

std::shared_ptr<Loss> make_loss(const std::string& name, Value::Map options = {}) {
  return make_builtin<Loss>(name, Value(std::move(options)));
}

Var leaf(Shape shape, std::vector<float> values) { return Var(Tensor(shape, values), true); }

float value_of(const Loss& loss, const Var& pred, const Var& target) {
  const Var out = loss(pred, target);
  REQUIRE(out.shape() == Shape{});
  return out.value().item();
}

// Finite differences agree with the loss's gradient with respect to both arguments.
void check_gradient(const Loss& loss, const Var& pred, const Var& target) {
  const auto r = sslflow::testing::gradcheck([&](const std::vector<Var>& in) { return loss(in[0], in[1]); },
                                             {pred, target});
  INFO(r.report);
  REQUIRE(r.ok);
}

}  // namespace

TEST_CASE("Losses.negative_cosine.hand_computed", "[plugin]") {
  const auto loss = make_loss("negative_cosine");
  // cos of the rows: [1, 0].[0, 1] = 0 and [3, 4].[6, 8] = 1, so the loss is -(0 + 1) / 2.
  const Var pred = leaf({2, 2}, {1, 0, 3, 4});
  const Var target = leaf({2, 2}, {0, 1, 6, 8});
  REQUIRE_THAT(value_of(*loss, pred, target), WithinAbs(-0.5, 1e-6));
  // Along the last dimension of (B, T, D), averaged over B * T vectors: -(1 - 1 + 0 + 1) / 4.
  const Var tokens = leaf({2, 2, 2}, {1, 0, 0, 1, 1, 1, 2, 0});
  const Var tokens_target = leaf({2, 2, 2}, {2, 0, 0, -3, -1, 1, 5, 0});
  REQUIRE_THAT(value_of(*loss, tokens, tokens_target), WithinAbs(-0.25, 1e-6));
}

TEST_CASE("Losses.negative_cosine.gradient_only_into_pred_when_target_detached", "[plugin][grad]") {
  const auto loss = make_loss("negative_cosine");
  const Var pred = leaf({2, 3}, {0.5f, -1.0f, 2.0f, 1.5f, 0.3f, -0.7f});
  const Var target = leaf({2, 3}, {1.0f, 0.2f, -0.4f, 0.9f, -1.1f, 0.6f});
  check_gradient(*loss, pred, target);
  pred.zero_grad();
  target.zero_grad();
  (*loss)(pred, target.detach()).backward();
  REQUIRE(pred.has_grad());
  REQUIRE_FALSE(target.has_grad());
}

TEST_CASE("Losses.negative_cosine.shape_mismatch_names_the_loss", "[plugin]") {
  const auto loss = make_loss("negative_cosine");
  const Var pred = leaf({2, 3}, std::vector<float>(6));
  const Var target = leaf({3, 2}, std::vector<float>(6));
  REQUIRE_THROWS_AS((*loss)(pred, target), sslflow::ShapeError);
  REQUIRE_THROWS_WITH((*loss)(pred, target), Contains("loss/negative_cosine: pred [2, 3] and target [3, 2] differ"));
}

TEST_CASE("Losses.smooth_l1.hand_computed", "[plugin]") {
  // |d| = 0, 0.5, 3 with beta 1: 0, 0.5 * 0.25 / 1, 3 - 0.5; with beta 2: 0, 0.5 * 0.25 / 2, 3 - 1.
  const Var pred = leaf({3}, {0.0f, 0.5f, -3.0f});
  const Var target = leaf({3}, {0.0f, 0.0f, 0.0f});
  REQUIRE_THAT(value_of(*make_loss("smooth_l1"), pred, target), WithinAbs(2.625 / 3.0, 1e-6));
  REQUIRE_THAT(value_of(*make_loss("smooth_l1", {{"reduction", "sum"}}), pred, target), WithinAbs(2.625, 1e-6));
  REQUIRE_THAT(value_of(*make_loss("smooth_l1", {{"beta", 2.0}}), pred, target), WithinAbs(2.0625 / 3.0, 1e-6));
  check_gradient(*make_loss("smooth_l1", {{"beta", 2.0}}), leaf({2, 2}, {0.4f, -2.5f, 1.2f, 3.0f}),
                 leaf({2, 2}, {0.1f, 0.3f, -0.2f, 0.5f}));
}

TEST_CASE("Losses.mse.hand_computed", "[plugin]") {
  const Var pred = leaf({3}, {1.0f, 2.0f, 3.0f});
  const Var target = leaf({3}, {1.0f, 0.0f, 0.0f});
  REQUIRE_THAT(value_of(*make_loss("mse"), pred, target), WithinAbs(13.0 / 3.0, 1e-6));
  REQUIRE_THAT(value_of(*make_loss("mse", {{"reduction", "sum"}}), pred, target), WithinAbs(13.0, 1e-6));
  check_gradient(*make_loss("mse"), pred, target);
}

TEST_CASE("Losses.cross_entropy.hand_computed", "[plugin]") {
  const auto loss = make_loss("cross_entropy");
  // Row 0: softmax [1/2, 1/2], class 0: ln 2. Row 1: softmax [3/4, 1/4], class 1: ln 4.
  const Var logits = leaf({2, 2}, {0.0f, 0.0f, std::log(3.0f), 0.0f});
  const Var ids = Var(Tensor(Shape{2}, std::vector<float>{0.0f, 1.0f}));
  REQUIRE_THAT(value_of(*loss, logits, ids), WithinAbs(1.5 * std::log(2.0), 1e-6));
  REQUIRE_THAT(value_of(*make_loss("cross_entropy", {{"reduction", "sum"}}), logits, ids),
               WithinAbs(3.0 * std::log(2.0), 1e-6));
  loss->operator()(logits, ids).backward();
  REQUIRE(logits.has_grad());
}

TEST_CASE("Losses.cross_entropy.bad_targets", "[plugin]") {
  const auto loss = make_loss("cross_entropy");
  const Var logits = leaf({2, 3}, std::vector<float>(6));
  const Var out_of_range(Tensor(Shape{2}, std::vector<float>{0.0f, 3.0f}));
  const Var fractional(Tensor(Shape{2}, std::vector<float>{0.5f, 1.0f}));
  const Var too_many(Tensor(Shape{3}));
  REQUIRE_THROWS_WITH((*loss)(logits, out_of_range), Contains("loss/cross_entropy: target 3") &&
                                                         Contains("is not a class id in [0, 3)"));
  REQUIRE_THROWS_WITH((*loss)(logits, fractional), Contains("loss/cross_entropy: target 0.5"));
  REQUIRE_THROWS_AS((*loss)(logits, too_many), sslflow::ShapeError);
  REQUIRE_THROWS_WITH((*loss)(logits, too_many), Contains("pred [2, 3] and target [3]"));
}

TEST_CASE("Losses.commitment.hand_computed", "[plugin]") {
  // 0.25 * mean((1 - 0)^2, (3 - 1)^2) = 0.25 * 2.5
  const Var z = leaf({2}, {1.0f, 3.0f});
  const Var q = leaf({2}, {0.0f, 1.0f});
  REQUIRE_THAT(value_of(*make_loss("commitment"), z, q.detach()), WithinAbs(0.625, 1e-6));
  REQUIRE_THAT(value_of(*make_loss("commitment", {{"beta", 1.0}}), z, q), WithinAbs(2.5, 1e-6));
  z.zero_grad();
  (*make_loss("commitment"))(z, q.detach()).backward();
  // d/dz 0.25 * mean((z - q)^2) = 0.25 * 2 (z - q) / 2
  REQUIRE_THAT(z.grad().data()[0], WithinAbs(0.25, 1e-6));
  REQUIRE_THAT(z.grad().data()[1], WithinAbs(0.5, 1e-6));
  REQUIRE_FALSE(q.has_grad());
}

TEST_CASE("Losses.schema.defaults_follow_the_references", "[plugin]") {
  const auto& r = sslflow::testing::builtin_registry();
  auto default_of = [&](const char* name, const char* option) {
    return sslflow::find_option(r.find("loss", name)->schema, option)->default_value().as_float();
  };
  REQUIRE(default_of("smooth_l1", "beta") == 1.0);
  REQUIRE(default_of("commitment", "beta") == 0.25);
  REQUIRE(default_of("negative_cosine", "eps") == 1e-8);
  REQUIRE_THROWS_AS(make_loss("smooth_l1", {{"reduction", "none"}}), sslflow::OptionError);
}
