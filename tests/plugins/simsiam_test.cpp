#include <catch2/catch.hpp>

#include <algorithm>
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
#include "train/trainer.hpp"
#include "two_view_methods.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using namespace sslflow;
using namespace sslflow::testing;

namespace {

std::shared_ptr<Method> make_simsiam(const Value& options, std::shared_ptr<Loss> loss = nullptr) {
  return testing::make_method("simsiam", options, std::move(loss));
}

bool all_zero(const Tensor& t) {
  if (!t.defined()) return true;
  for (float v : t.values())
    if (v != 0.0f) return false;
  return true;
}

// A loss that reads only its target, and checks that the target arrives detached.
class TargetOnly final : public Loss {
 public:
  Var operator()(const Var& pred, const Var& target) const override {
    target_required_grad_ = target_required_grad_ || target.requires_grad();
    return add(sum(square(target)), mul(sum(pred), 0.0f));
  }
  bool target_required_grad() const { return target_required_grad_; }

 private:
  mutable bool target_required_grad_ = false;
};

// Small heads: a 2-layer projector 12 -> 6 and a predictor bottleneck of 4, with `changes`.
Value small(const Value::Map& changes = {}) {
  Value options(Value::Map{{"proj_hidden", 12}, {"proj_dim", 6}, {"proj_layers", 2}, {"pred_dim", 4}});
  for (const auto& [key, value] : changes) options.set(key, value);
  return options;
}

}  // namespace

TEST_CASE("SimSiam.schema.paper_defaults", "[plugin]") {
  auto default_of = [](const char* option) { return testing::default_option("simsiam", option); };
  REQUIRE(default_of("proj_hidden").as_int() == 2048);
  REQUIRE(default_of("proj_dim").as_int() == 2048);
  REQUIRE(default_of("proj_layers").as_int() == 3);
  REQUIRE(default_of("pred_dim").as_int() == 512);
  REQUIRE(default_of("proj_bn").as_bool());
  REQUIRE(default_of("pred_bn").as_bool());  // facebookresearch/simsiam's predictor
  REQUIRE_FALSE(default_of("identity_predictor").as_bool());
  REQUIRE_FALSE(default_of("normalize_outputs").as_bool());
  REQUIRE(default_of("loss").find("plugin")->as_string() == "negative_cosine");
}

TEST_CASE("SimSiam.init.kaiming_or_pytorch", "[plugin]") {
  // proj_bn off: every Linear has a bias. PyTorch's default draws it from U(-1/sqrt(in),
  // 1/sqrt(in)); Kaiming zeroes it and draws weights with std sqrt(2 / fan_in).
  const auto kaiming = make_simsiam(small({{"init", "kaiming"}, {"proj_bn", false}, {"proj_hidden", 256}}));
  kaiming->setup(two_views(64), kMethodSetup);
  const auto pytorch = make_simsiam(small({{"proj_bn", false}, {"proj_hidden", 256}}));
  pytorch->setup(two_views(64), kMethodSetup);
  auto parameter = [](const Method& m, const std::string& name) {
    for (const auto& [n, p] : m.named_parameters())
      if (n == name) return p.value();
    FAIL("no parameter " << name);
    return Tensor();
  };
  const Tensor w = parameter(*kaiming, "projector.0.weight");  // (256, 64)
  double sum_sq = 0.0;
  for (float v : w.values()) sum_sq += double(v) * v;
  REQUIRE_THAT(std::sqrt(sum_sq / static_cast<double>(w.numel())), WithinAbs(std::sqrt(2.0 / 64.0), 0.01));
  REQUIRE(all_zero(parameter(*kaiming, "projector.0.bias")));
  REQUIRE_FALSE(all_zero(parameter(*pytorch, "projector.0.bias")));
  float largest = 0.0f;
  for (float v : parameter(*pytorch, "projector.0.weight").values()) largest = std::max(largest, std::abs(v));
  REQUIRE(largest <= 0.125f);  // 1 / sqrt(64)
}

TEST_CASE("SimSiam.pred_bn.off_gives_a_biased_predictor_without_batch_norm", "[plugin]") {
  const auto with_bn = make_simsiam(small());
  const auto without = make_simsiam(small({{"pred_bn", false}}));
  for (const auto& method : {with_bn, without}) method->setup(two_views(8), kMethodSetup);
  auto names = [](const Method& m) {
    std::vector<std::string> out;
    for (const auto& [name, _] : m.state_dict())
      if (name.starts_with("predictor.")) out.push_back(name);
    std::sort(out.begin(), out.end());
    return out;
  };
  // facebookresearch/simsiam: Linear(bias=False), BatchNorm1d, ReLU, Linear.
  CHECK(names(*with_bn) == std::vector<std::string>{"predictor.0.weight", "predictor.1.bias",
                                                    "predictor.1.num_batches_tracked", "predictor.1.running_mean",
                                                    "predictor.1.running_var", "predictor.1.weight",
                                                    "predictor.3.bias", "predictor.3.weight"});
  // oxicuda-ssl: W2 ReLU(W1 z + b1) + b2.
  CHECK(names(*without) ==
        std::vector<std::string>{"predictor.0.bias", "predictor.0.weight", "predictor.2.bias", "predictor.2.weight"});
}

TEST_CASE("SimSiam.inputs.exactly_two_views", "[plugin]") {
  testing::check_two_view_inputs("simsiam", small());
}

TEST_CASE("SimSiam.identity_predictor.identical_views_give_minus_one", "[plugin]") {
  const Value options = small({{"identity_predictor", true}, {"pred_dim", 12}});  // pred_dim = 2 * proj_dim
  const auto method = make_simsiam(options);
  method->setup(two_views(5), kMethodSetup);
  REQUIRE(method->named_parameters().size() == 4);  // the projector only: 0.weight, 1.weight, 1.bias, 3.weight
  const Var x = features(16, 5, 1);
  const StepOutput out = method->forward(views(x, x));
  REQUIRE(out.loss.value().item() == -1.0f);  // exactly: the cosine of a vector with itself is 1

  // With squared error the loss is 0 bit for bit: the prediction equals the projection.
  const auto exact = make_simsiam(options, testing::make_builtin<Loss>("mse"));
  exact->setup(two_views(5), kMethodSetup);
  REQUIRE(exact->forward(views(x, x)).loss.value().item() == 0.0f);
}

TEST_CASE("SimSiam.identity_predictor.wrong_width_is_refused_by_its_check", "[plugin]") {
  const Value options(Value::Map{{"identity_predictor", true}});
  REQUIRE_THROWS_AS(make_simsiam(options), OptionError);
  REQUIRE_THROWS_WITH(make_simsiam(options),
                      Contains("identity_predictor needs pred_dim = 2 * proj_dim = 4096, got pred_dim 512"));
}

TEST_CASE("SimSiam.loss.within_minus_one_and_one", "[plugin]") {
  for (bool normalize : {false, true}) {
    for (bool bn : {true, false}) {
      const auto method = make_simsiam(small({{"normalize_outputs", normalize}, {"proj_bn", bn}}));
      method->setup(two_views(7), kMethodSetup);
      for (uint64_t seed = 0; seed < 8; ++seed) {
        const Var x1 = features(10, 7, seed);
        const Var x2 = seed % 2 ? features(10, 7, seed + 100) : neg(x1);
        const float loss = method->forward(views(x1, x2)).loss.value().item();
        INFO("normalize " << normalize << ", bn " << bn << ", seed " << seed << ": loss " << loss);
        REQUIRE(std::isfinite(loss));
        REQUIRE(loss >= -1.0f - 1e-6f);
        REQUIRE(loss <= 1.0f + 1e-6f);
      }
    }
  }
}

TEST_CASE("SimSiam.stop_gradient.targets_carry_no_gradient", "[plugin][grad]") {
  const auto spy = std::make_shared<TargetOnly>();
  const auto method = make_simsiam(small(), spy);
  method->setup(two_views(5), kMethodSetup);
  const Var x1 = features(8, 5, 3, true), x2 = features(8, 5, 4, true);
  method->forward(views(x1, x2)).loss.backward();
  REQUIRE_FALSE(spy->target_required_grad());
  // The loss depends on the views only through the targets sg(z1), sg(z2): nothing
  // reaches the inputs or the heads except the zero through p.
  REQUIRE(all_zero(x1.grad()));
  REQUIRE(all_zero(x2.grad()));
  for (const auto& [name, p] : method->named_parameters()) {
    INFO(name);
    REQUIRE(all_zero(p.grad()));
  }

  // The default loss trains every head parameter through p.
  const auto trained = make_simsiam(small());
  trained->setup(two_views(5), kMethodSetup);
  trained->forward(views(x1, x2)).loss.backward();
  for (const auto& [name, p] : trained->named_parameters()) {
    INFO(name);
    REQUIRE_FALSE(all_zero(p.grad()));
  }
}

TEST_CASE("SimSiam.metrics.collapse_std", "[plugin]") {
  const auto method = make_simsiam(small({{"proj_dim", 16}, {"pred_dim", 8}}));
  method->setup(two_views(10), kMethodSetup);

  // Random features: the batch-normalised projections spread over the sphere.
  const Metrics healthy = method->forward(views(features(256, 10, 1), features(256, 10, 2))).metrics;
  const double ratio = metric(healthy, "z_std_ratio");
  REQUIRE_THAT(ratio, WithinAbs(metric(healthy, "collapse_std") * 4.0, 1e-9));
  REQUIRE(ratio > 0.8);
  REQUIRE(ratio < 1.05);

  // One sample repeated, through a projector without batch norm (which would turn equal
  // rows into zeros of no direction): every z is the same point, the spread is 0.
  const auto plain = make_simsiam(small({{"proj_dim", 16}, {"pred_dim", 8}, {"proj_bn", false}}));
  plain->setup(two_views(10), kMethodSetup);
  Tensor same(Shape{32, 10});
  for (int64_t i = 0; i < same.numel(); ++i) same.data()[i] = static_cast<float>(i % 10) - 4.5f;
  const Metrics collapsed = plain->forward(views(Var(same), Var(same))).metrics;
  REQUIRE_THAT(metric(collapsed, "collapse_std"), WithinAbs(0.0, 1e-6));
  REQUIRE_THAT(metric(collapsed, "z_std_ratio"), WithinAbs(0.0, 4e-6));
}

TEST_CASE("SimSiam.golden.loss_and_gradients_match_pytorch", "[plugin][golden]") {
  struct Case {
    const char* name;
    int64_t features;
    Value::Map options;
  };
  const std::vector<Case> cases{
      {"paper", 6, {{"proj_hidden", 8}, {"proj_dim", 5}, {"proj_layers", 3}, {"pred_dim", 4}}},
      {"no_bn_normalized",
       7,
       {{"proj_hidden", 6}, {"proj_dim", 4}, {"proj_layers", 2}, {"pred_dim", 3}, {"proj_bn", false},
        {"normalize_outputs", true}}},
      {"oxicuda",
       6,
       {{"proj_hidden", 7}, {"proj_dim", 4}, {"proj_layers", 2}, {"pred_dim", 3}, {"proj_bn", false},
        {"pred_bn", false}, {"normalize_outputs", true}}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      const testing::MethodGolden golden("simsiam", c.name);
      const auto method = make_simsiam(Value(c.options));
      method->setup(two_views(c.features), kMethodSetup);
      const StepOutput out = golden.check_step(*method);
      golden.expect_metric(out.metrics, "collapse_std");
    }
  }
}

TEST_CASE("SimSiam.train.loss_falls_without_collapse", "[plugin][engine]") {
  // Two augmented views of generated blobs through one small ConvNet.
  const engine::RunResult run = testing::train_on_blobs(8, "crop: [0.4, 1.0], flip: 0.5, jitter: 0.4",
                                                        "plugin: simsiam, proj_layers: 2, proj_hidden: 32, "
                                                        "proj_dim: 32, pred_dim: 8");
  const std::vector<double>& losses = run.losses;
  REQUIRE(losses.size() == 64);  // 8 epochs of 256 / 32
  for (double loss : losses) {
    REQUIRE(std::isfinite(loss));
    REQUIRE(loss >= -1.0 - 1e-6);
  }
  const double first = mean_of(losses, 0, 4), last = mean_of(losses, losses.size() - 4, losses.size());
  INFO("mean loss of the first 4 steps " << first << ", of the last 4 " << last);
  REQUIRE(last < first - 0.2);
  // Healthy representations keep z_std_ratio near 1; a collapsed run drives it to 0.
  const double ratio = metric(run.final_metrics, "objective.z_std_ratio");
  INFO("z_std_ratio at the last step " << ratio);
  REQUIRE(ratio > 0.3);
}
