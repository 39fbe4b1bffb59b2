#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "builtin_registry.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/loss.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/ops.hpp"
#include "sslflow/testing/gradcheck.hpp"
#include "train/trainer.hpp"
#include "two_view_methods.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace sslflow;
using namespace sslflow::testing;

namespace {

std::shared_ptr<Loss> nt_xent(double temperature) {
  return testing::make_builtin<Loss>("nt_xent", Value(Value::Map{{"temperature", temperature}}));
}

float loss_of(const Loss& loss, const Var& z1, const Var& z2) {
  const Var out = loss(z1, z2);
  REQUIRE(out.shape() == Shape{});
  return out.value().item();
}

// Rows `rows` of the first `dim` unit vectors e_0, e_1, ... as (rows, dim), times `scale`.
Var unit_rows(int64_t rows, int64_t dim, float scale) {
  Tensor t(Shape{rows, dim});
  for (int64_t i = 0; i < rows; ++i) t.data()[i * dim + i] = scale;
  return Var(t);
}

// Small heads: a 2-layer projection head 12 -> 6.
Value small(const Value::Map& changes = {}) {
  Value options(Value::Map{{"proj_hidden", 12}, {"proj_dim", 6}});
  for (const auto& [key, value] : changes) options.set(key, value);
  return options;
}

std::shared_ptr<Method> make_simclr(const Value& options, std::shared_ptr<Loss> loss = nullptr) {
  return testing::make_method("simclr", options, std::move(loss));
}

}  // namespace

TEST_CASE("SimClr.nt_xent.hand_computed", "[plugin]") {
  // Anchors a = (1, 0), b = (0, 1) and their other views c = (1, 1), d = (1, -1), which
  // normalise to (1, 1) / sqrt(2) and (1, -1) / sqrt(2). With s = 1 / sqrt(2) the cosines
  // are a.b = 0, a.c = s, a.d = s, b.c = s, b.d = -s, c.d = 0, so the four anchors' losses
  // -log(exp(pos / T) / sum_others exp(. / T)) are
  //   a: -s/T + log(2 e^(s/T) + 1)            b: s/T + log(e^(-s/T) + 1 + e^(s/T))
  //   c: -s/T + log(2 e^(s/T) + 1)            d: s/T + log(e^(s/T) + 1 + e^(-s/T))
  // whose mean is (log(2 e^(s/T) + 1) + log(e^(s/T) + e^(-s/T) + 1)) / 2.
  const double s = 1.0 / std::sqrt(2.0);
  const Var z1(Tensor(Shape{2, 2}, std::vector<float>{1, 0, 0, 1}), true);
  const Var z2(Tensor(Shape{2, 2}, std::vector<float>{1, 1, 1, -1}), true);
  for (double t : {0.5, 0.2}) {
    const double expected =
        (std::log(2.0 * std::exp(s / t) + 1.0) + std::log(std::exp(s / t) + std::exp(-s / t) + 1.0)) / 2.0;
    INFO("temperature " << t);
    REQUIRE_THAT(loss_of(*nt_xent(t), z1, z2), WithinAbs(expected, 1e-5));
    // Only directions count: scaling a view changes nothing.
    REQUIRE_THAT(loss_of(*nt_xent(t), mul(z1, 3.0f), mul(z2, 0.25f)), WithinAbs(expected, 1e-5));
  }
  // The default temperature is SimCLR's 0.5.
  const auto default_loss = testing::make_builtin<Loss>("nt_xent");
  REQUIRE(loss_of(*default_loss, z1, z2) == loss_of(*nt_xent(0.5), z1, z2));
}

TEST_CASE("SimClr.nt_xent.orthogonal_pairs_give_the_analytic_value", "[plugin]") {
  // N pairs of equal, mutually orthogonal unit views: every anchor has cosine 1 with its
  // positive and 0 with its 2N - 2 negatives, so L = log(1 + (2N - 2) e^(-1/T)). Views
  // pointing apart (z2 = -z1) give cosine -1 instead: L = 1/T + log(e^(-1/T) + 2N - 2).
  // A temperature of 0.01 puts 100 between the logits, which must neither overflow nor
  // turn into inf - inf.
  const int64_t n = 3;
  const Var z = unit_rows(n, 5, 2.0f);
  for (double t : {0.5, 0.1, 0.01}) {
    INFO("temperature " << t);
    const auto loss = nt_xent(t);
    const double aligned = std::log(1.0 + (2 * n - 2) * std::exp(-1.0 / t));
    const double opposed = 1.0 / t + std::log(std::exp(-1.0 / t) + (2 * n - 2));
    REQUIRE_THAT(loss_of(*loss, z, z), WithinAbs(aligned, 1e-6));
    REQUIRE_THAT(loss_of(*loss, z, neg(z)), WithinRel(opposed, 1e-6));
  }
}

TEST_CASE("SimClr.nt_xent.invariant_to_pair_order_and_view_swap", "[plugin]") {
  const auto loss = nt_xent(0.3);
  const Var z1 = features(6, 5, 1);
  const Var z2 = add(z1, mul(features(6, 5, 2), 0.7f));
  const std::vector<int64_t> order{4, 0, 5, 2, 1, 3};
  const float reference = loss_of(*loss, z1, z2);
  REQUIRE_THAT(loss_of(*loss, index_select(z1, 0, order), index_select(z2, 0, order)), WithinAbs(reference, 1e-5));
  REQUIRE_THAT(loss_of(*loss, z2, z1), WithinAbs(reference, 1e-5));
  // Pairing each view with another image's view is a different loss, and a larger one.
  const std::vector<int64_t> shifted{1, 2, 3, 4, 5, 0};
  REQUIRE(loss_of(*loss, z1, index_select(z2, 0, shifted)) > reference + 0.1f);
}

TEST_CASE("SimClr.nt_xent.gradient_matches_finite_differences", "[plugin][grad]") {
  for (double t : {0.5, 0.2}) {
    INFO("temperature " << t);
    const auto loss = nt_xent(t);
    const Var z1 = features(4, 3, 3, true);
    const Var z2 = features(4, 3, 4, true);
    const auto r =
        sslflow::testing::gradcheck([&](const std::vector<Var>& in) { return (*loss)(in[0], in[1]); }, {z1, z2});
    INFO(r.report);
    REQUIRE(r.ok);
    REQUIRE(r.entries_checked == 24);
  }
}

TEST_CASE("SimClr.nt_xent.shape_errors_name_the_loss", "[plugin]") {
  const auto loss = nt_xent(0.5);
  const Var a = features(3, 4, 1), b = features(3, 5, 2);
  REQUIRE_THROWS_AS((*loss)(a, b), ShapeError);
  REQUIRE_THROWS_WITH((*loss)(a, b), Contains("loss/nt_xent: needs the two views' projections as one shape (N, D)") &&
                                         Contains("got [3, 4] and [3, 5]"));
  const Var vector(Tensor(Shape{4}, std::vector<float>{1, 2, 3, 4}));
  REQUIRE_THROWS_WITH((*loss)(vector, vector), Contains("loss/nt_xent") && Contains("got [4] and [4]"));
  const Var one = features(1, 4, 3);
  REQUIRE_THROWS_AS((*loss)(one, one), ShapeError);
  REQUIRE_THROWS_WITH((*loss)(one, one), Contains("loss/nt_xent: needs at least 2 pairs") && Contains("[1, 4]"));
}

TEST_CASE("SimClr.nt_xent.golden_matches_pytorch", "[plugin][golden]") {
  for (const auto& [name, temperature] :
       std::vector<std::pair<std::string, double>>{{"loss_t05", 0.5}, {"loss_t01", 0.1}}) {
    DYNAMIC_SECTION(name) {
      const testing::MethodGolden golden("simclr", name);
      const Var z1(golden.stored("z1").clone(), true), z2(golden.stored("z2").clone(), true);
      const Var out = (*nt_xent(temperature))(z1, z2);
      out.backward();
      golden.expect("loss", out.value(), golden::kOutputTolerance);
      golden.expect("z1.grad", z1.grad(), golden::kGradTolerance);
      golden.expect("z2.grad", z2.grad(), golden::kGradTolerance);
    }
  }
}

TEST_CASE("SimClr.schema.paper_defaults", "[plugin]") {
  auto default_of = [](const char* option) { return testing::default_option("simclr", option); };
  REQUIRE(default_of("loss").find("plugin")->as_string() == "nt_xent");
  REQUIRE(default_of("proj_hidden").as_int() == 2048);
  REQUIRE(default_of("proj_dim").as_int() == 128);
  REQUIRE(default_of("proj_layers").as_int() == 2);
  REQUIRE(default_of("proj_bn").as_bool());

  // The head: Linear (no bias before its norm), BatchNorm1d, ReLU, Linear with bias.
  const auto method = make_simclr(small());
  method->setup(two_views(5), kMethodSetup);
  std::vector<std::string> names;
  for (const auto& [name, _] : method->named_parameters()) names.push_back(name);
  REQUIRE(names == std::vector<std::string>{"projector.0.weight", "projector.1.weight", "projector.1.bias",
                                            "projector.3.weight", "projector.3.bias"});
}

TEST_CASE("SimClr.inputs.exactly_two_views", "[plugin]") {
  testing::check_two_view_inputs("simclr", small());
}

TEST_CASE("SimClr.metrics.contrastive_accuracy_and_collapse", "[plugin]") {
  // Identical views: each projection's pair is itself, exactly, and beats every other
  // sample; random features spread over the sphere.
  const auto method = make_simclr(small({{"proj_dim", 16}}));
  method->setup(two_views(10), kMethodSetup);
  const Var x = features(64, 10, 1);
  const StepOutput same = method->forward(views(x, x));
  REQUIRE(metric(same.metrics, "contrastive_accuracy") == 1.0);
  REQUIRE(metric(same.metrics, "z_std_ratio") > 0.3);

  // Unrelated views: the pair is found about as often as chance, 1 / (2N - 1).
  const StepOutput unrelated = method->forward(views(features(64, 10, 2), features(64, 10, 3)));
  REQUIRE(metric(unrelated.metrics, "contrastive_accuracy") < 0.1);
  REQUIRE(unrelated.loss.value().item() > same.loss.value().item());

  // One sample repeated, through a head without batch norm: every projection is the same
  // point, so a positive is more similar than the negatives only by rounding, and the
  // spread is 0.
  const auto plain = make_simclr(small({{"proj_dim", 16}, {"proj_bn", false}}));
  plain->setup(two_views(10), kMethodSetup);
  Tensor repeated(Shape{32, 10});
  for (int64_t i = 0; i < repeated.numel(); ++i) repeated.data()[i] = static_cast<float>(i % 10) - 4.5f;
  const StepOutput collapsed = plain->forward(views(Var(repeated), Var(repeated)));
  REQUIRE(metric(collapsed.metrics, "contrastive_accuracy") < 0.1);
  REQUIRE_THAT(metric(collapsed.metrics, "collapse_std"), WithinAbs(0.0, 1e-6));
  // All 2N - 1 logits equal: the loss is log(2N - 1).
  REQUIRE_THAT(collapsed.loss.value().item(), WithinAbs(std::log(63.0), 1e-5));
}

TEST_CASE("SimClr.golden.loss_and_gradients_match_pytorch", "[plugin][golden]") {
  struct Case {
    const char* name;
    int64_t features;
    double temperature;
    Value::Map options;
  };
  const std::vector<Case> cases{
      {"paper", 5, 0.5, {{"proj_hidden", 8}, {"proj_dim", 4}}},
      {"three_layers_no_bn", 6, 0.2, {{"proj_hidden", 7}, {"proj_dim", 3}, {"proj_layers", 3}, {"proj_bn", false}}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      const testing::MethodGolden golden("simclr", c.name);
      const auto method = make_simclr(Value(c.options), nt_xent(c.temperature));
      method->setup(two_views(c.features), kMethodSetup);
      const StepOutput out = golden.check_step(*method);
      golden.expect_metric(out.metrics, "contrastive_accuracy");
      golden.expect_metric(out.metrics, "collapse_std");
    }
  }
}

TEST_CASE("SimClr.train.loss_falls_and_accuracy_rises", "[plugin][engine]") {
  // Two cropped views of generated blobs through one small ConvNet, the temperature set
  // through the loss option. The samples of a class differ only in where its blobs and two
  // distractor blobs lie, so the views are crops alone: flips and brightness jitter would
  // leave a network this small little to tell them apart by.
  auto run = [](const std::vector<std::string>& overrides) {
    return testing::train_on_blobs(12, "crop: [0.6, 1.0], flip: 0, jitter: 0",
                                   "plugin: simclr, proj_hidden: 32, proj_dim: 16, "
                                   "loss: {plugin: nt_xent, temperature: 0.2}",
                                   overrides);
  };
  const engine::RunResult first_step = run({"+train.max_steps=1"});
  const engine::RunResult trained = run({});
  const std::vector<double>& losses = trained.losses;
  REQUIRE(losses.size() == 96);  // 12 epochs of 256 / 32
  REQUIRE(losses.front() == first_step.losses.front());
  for (double loss : losses) REQUIRE(std::isfinite(loss));
  const double first = mean_of(losses, 0, 4), last = mean_of(losses, losses.size() - 4, losses.size());
  INFO("mean loss of the first 4 steps " << first << ", of the last 4 " << last);
  REQUIRE(last < first - 0.5);
  const double accuracy_before = metric(first_step.final_metrics, "objective.contrastive_accuracy");
  const double accuracy_after = metric(trained.final_metrics, "objective.contrastive_accuracy");
  INFO("contrastive accuracy at the first step " << accuracy_before << ", at the last " << accuracy_after);
  REQUIRE(accuracy_after > accuracy_before + 0.2);
  REQUIRE(accuracy_after > 0.5);
}
