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

// Small heads: a 3-layer projector 12 -> 12 -> 6.
Value small(const Value::Map& changes = {}) {
  Value options(Value::Map{{"proj_hidden", 12}, {"proj_dim", 6}});
  for (const auto& [key, value] : changes) options.set(key, value);
  return options;
}

std::shared_ptr<Method> make_barlow_twins(const Value& options) {
  return make_builtin<Method>("barlow_twins", options);
}

}  // namespace

TEST_CASE("BarlowTwins.schema.paper_defaults", "[plugin]") {
  auto default_of = [](const char* option) { return default_option("barlow_twins", option); };
  REQUIRE(default_of("proj_hidden").as_int() == 8192);
  REQUIRE(default_of("proj_dim").as_int() == 8192);
  REQUIRE(default_of("proj_layers").as_int() == 3);
  REQUIRE(default_of("lambda").as_float() == 0.0051);

  // main.py's projector, no bias anywhere, and the affine-free output norm `bn`.
  const auto method = make_barlow_twins(small());
  method->setup(two_views(5), kMethodSetup);
  std::vector<std::string> names;
  for (const auto& [name, _] : method->named_parameters()) names.push_back(name);
  REQUIRE(names == std::vector<std::string>{"projector.0.weight", "projector.1.weight", "projector.1.bias",
                                            "projector.3.weight", "projector.4.weight", "projector.4.bias",
                                            "projector.6.weight"});
  std::vector<std::string> buffers;
  for (const auto& [name, _] : method->named_buffers())
    if (name.starts_with("bn.")) buffers.push_back(name);
  REQUIRE(buffers == std::vector<std::string>{"bn.running_mean", "bn.running_var", "bn.num_batches_tracked"});
}

TEST_CASE("BarlowTwins.options.refused_values_name_the_option", "[plugin]") {
  REQUIRE_THROWS_AS(make_barlow_twins(small({{"lambda", -0.1}})), OptionError);
  REQUIRE_THROWS_WITH(make_barlow_twins(small({{"lambda", -0.1}})), Contains("lambda"));
  REQUIRE_THROWS_AS(make_barlow_twins(small({{"proj_layers", 0}})), OptionError);
  REQUIRE_THROWS_WITH(make_barlow_twins(small({{"proj_layers", 0}})), Contains("proj_layers"));
  REQUIRE_THROWS_AS(make_barlow_twins(small({{"sim_coeff", 1.0}})), OptionError);  // VICReg's, not Barlow Twins'
}

TEST_CASE("BarlowTwins.inputs.exactly_two_views", "[plugin]") {
  testing::check_two_view_inputs("barlow_twins", small());
  testing::check_rejects_a_batch_of_one("barlow_twins", small());
}

TEST_CASE("BarlowTwins.loss.collapsed_and_identical_views", "[plugin]") {
  // Both views the same constant vector: the output norm maps every embedding to 0, so
  // the cross-correlation is 0 and each of the D diagonal terms costs (1 - 0)^2 = 1.
  const auto method = make_barlow_twins(small());
  method->setup(two_views(5), kMethodSetup);
  const Var x = constant_rows(8, 5);
  const StepOutput collapsed = method->forward(views(x, x));
  CHECK_THAT(metric(collapsed.metrics, "on_diagonal"), WithinAbs(6.0, 1e-5));
  CHECK_THAT(metric(collapsed.metrics, "off_diagonal"), WithinAbs(0.0, 1e-9));
  CHECK_THAT(collapsed.loss.value().item(), WithinAbs(6.0, 1e-5));
  // Identical spread views: each coordinate correlates perfectly with itself across the
  // views (c_ii = var / (var + 1e-5), within the norm's epsilon of 1).
  const Var y = features(16, 5, 1);
  const StepOutput identical = method->forward(views(y, y));
  CHECK(metric(identical.metrics, "on_diagonal") < 1e-3);
  CHECK(metric(identical.metrics, "off_diagonal") > 0.0);
}

TEST_CASE("BarlowTwins.golden.loss_and_gradients_match_pytorch", "[plugin][golden]") {
  struct Case {
    const char* name;
    int64_t features;
    Value::Map options;
  };
  const std::vector<Case> cases{
      {"paper", 5, {{"proj_hidden", 8}, {"proj_dim", 4}}},
      {"two_layers_heavy_lambda", 6, {{"proj_hidden", 7}, {"proj_dim", 5}, {"proj_layers", 2}, {"lambda", 0.5}}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      const MethodGolden golden("barlow_twins", c.name);
      const auto method = make_barlow_twins(Value(c.options));
      method->setup(two_views(c.features), kMethodSetup);
      const StepOutput out = golden.check_step(*method);
      for (const char* name : {"on_diagonal", "off_diagonal", "collapse_std"}) golden.expect_metric(out.metrics, name);
    }
  }
}

TEST_CASE("BarlowTwins.pipeline.short_run_learns", "[plugin][engine]") {
  // The shipped recipe on generated blobs (256 training images, 128 test, 4 classes) for 8
  // epochs of batch 32: the mean loss of the last 8 steps is at least 5% below that of the
  // first 8, and the kNN on the backbone's features beats chance (0.25) by a margin.
  const std::vector<std::string> overrides{
      "data={plugin: synthetic, train_size: 256, test_size: 128, num_classes: 4}",
      "train.epochs=8",
      "train.batch_size=32",
      "eval=[{plugin: knn, node: backbone}]",
  };
  const auto config = PipelineConfig::load(SSLFLOW_SOURCE_DIR "/pipelines/barlow_twins_fmnist.yaml", overrides);
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
