#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "builtin_registry.hpp"
#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/method.hpp"
#include "train/trainer.hpp"
#include "two_view_methods.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using namespace sslflow;
using namespace sslflow::testing;

namespace {

// Small heads: a 3-layer expander 12 -> 12 -> 6.
Value small(const Value::Map& changes = {}) {
  Value options(Value::Map{{"proj_hidden", 12}, {"proj_dim", 6}});
  for (const auto& [key, value] : changes) options.set(key, value);
  return options;
}

std::shared_ptr<Method> make_vicreg(const Value& options) { return make_builtin<Method>("vicreg", options); }

}  // namespace

TEST_CASE("VicReg.schema.paper_defaults", "[plugin]") {
  auto default_of = [](const char* option) { return default_option("vicreg", option); };
  REQUIRE(default_of("proj_hidden").as_int() == 8192);
  REQUIRE(default_of("proj_dim").as_int() == 8192);
  REQUIRE(default_of("proj_layers").as_int() == 3);
  REQUIRE(default_of("sim_coeff").as_float() == 25.0);
  REQUIRE(default_of("std_coeff").as_float() == 25.0);
  REQUIRE(default_of("cov_coeff").as_float() == 1.0);

  // main_vicreg.py's Projector: Linear (with bias), BatchNorm1d, ReLU twice, then
  // Linear(bias=False).
  const auto method = make_vicreg(small());
  method->setup(two_views(5), kMethodSetup);
  std::vector<std::string> names;
  for (const auto& [name, _] : method->named_parameters()) names.push_back(name);
  REQUIRE(names == std::vector<std::string>{"projector.0.weight", "projector.0.bias", "projector.1.weight",
                                            "projector.1.bias", "projector.3.weight", "projector.3.bias",
                                            "projector.4.weight", "projector.4.bias", "projector.6.weight"});
}

TEST_CASE("VicReg.options.refused_values_name_the_option", "[plugin]") {
  REQUIRE_THROWS_AS(make_vicreg(small({{"proj_layers", 0}})), OptionError);
  REQUIRE_THROWS_WITH(make_vicreg(small({{"proj_layers", 0}})), Contains("proj_layers"));
  REQUIRE_THROWS_AS(make_vicreg(small({{"std_coeff", -1.0}})), OptionError);
  REQUIRE_THROWS_WITH(make_vicreg(small({{"std_coeff", -1.0}})), Contains("std_coeff"));
  REQUIRE_THROWS_AS(make_vicreg(small({{"proj_dim", 0}})), OptionError);
  REQUIRE_THROWS_AS(make_vicreg(small({{"lambda", 0.1}})), OptionError);  // Barlow Twins', not VICReg's
}

TEST_CASE("VicReg.inputs.exactly_two_views", "[plugin]") {
  testing::check_two_view_inputs("vicreg", small());
  testing::check_rejects_a_batch_of_one("vicreg", small());
}

TEST_CASE("VicReg.loss.collapse_gives_the_variance_term_its_maximum", "[plugin]") {
  // Both views the same constant vector: every embedding is one point, so the views agree
  // (invariance 0), nothing co-varies (covariance 0), and every coordinate's standard
  // deviation is sqrt(0 + 1e-4), which puts the variance hinge at its largest value,
  // 1 - 0.01 = 0.99. The loss is 25 * 0.99.
  const auto method = make_vicreg(small());
  method->setup(two_views(5), kMethodSetup);
  const Var x = constant_rows(8, 5);
  const StepOutput collapsed = method->forward(views(x, x));
  CHECK_THAT(metric(collapsed.metrics, "variance"), WithinAbs(0.99, 1e-6));
  CHECK_THAT(metric(collapsed.metrics, "invariance"), WithinAbs(0.0, 1e-12));
  CHECK_THAT(metric(collapsed.metrics, "covariance"), WithinAbs(0.0, 1e-9));
  CHECK_THAT(collapsed.loss.value().item(), WithinAbs(25.0 * 0.99, 1e-4));
  CHECK_THAT(metric(collapsed.metrics, "collapse_std"), WithinAbs(0.0, 1e-6));
  // Spread inputs leave the hinge below its maximum.
  const StepOutput spread = method->forward(views(features(8, 5, 1), features(8, 5, 2)));
  CHECK(metric(spread.metrics, "variance") < 0.95);
}

TEST_CASE("VicReg.golden.loss_and_gradients_match_pytorch", "[plugin][golden]") {
  struct Case {
    const char* name;
    int64_t features;
    Value::Map options;
  };
  const std::vector<Case> cases{
      {"paper", 5, {{"proj_hidden", 8}, {"proj_dim", 4}}},
      {"two_layers_reweighted",
       6,
       {{"proj_hidden", 7},
        {"proj_dim", 3},
        {"proj_layers", 2},
        {"sim_coeff", 10.0},
        {"std_coeff", 5.0},
        {"cov_coeff", 2.0}}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      const MethodGolden golden("vicreg", c.name);
      const auto method = make_vicreg(Value(c.options));
      method->setup(two_views(c.features), kMethodSetup);
      const StepOutput out = golden.check_step(*method);
      for (const char* name : {"invariance", "variance", "covariance", "collapse_std"})
        golden.expect_metric(out.metrics, name);
    }
  }
}

TEST_CASE("VicReg.pipeline.short_run_learns", "[plugin][engine]") {
  // The shipped recipe on generated blobs (256 training images, 128 test, 4 classes) for 8
  // epochs of batch 32: the mean loss of the last 8 steps is at least 5% below that of the
  // first 8, and the kNN on the backbone's features beats chance (0.25) by a margin.
  const std::vector<std::string> overrides{
      "data={plugin: synthetic, train_size: 256, test_size: 128, num_classes: 4}",
      "train.epochs=8",
      "train.batch_size=32",
      "eval=[{plugin: knn, node: backbone}]",
  };
  const auto config = PipelineConfig::load(SSLFLOW_SOURCE_DIR "/pipelines/vicreg_fmnist.yaml", overrides);
  const engine::RunResult run = engine::train(engine::validate(config, builtin_registry()), {});
  const std::vector<double>& losses = run.losses;
  REQUIRE(losses.size() == 64);
  for (double loss : losses) REQUIRE(std::isfinite(loss));
  const double first = mean_of(losses, 0, 8), last = mean_of(losses, losses.size() - 8, losses.size());
  INFO("mean loss of the first 8 steps " << first << ", of the last 8 " << last);
  CHECK(last < 0.95 * first);
  INFO("kNN top-1 " << metric(run.final_metrics, "knn.top1"));
  CHECK(metric(run.final_metrics, "knn.top1") > 0.4);
}
