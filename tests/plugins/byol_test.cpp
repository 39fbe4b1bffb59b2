#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "online_target_methods.hpp"
#include "sslflow/interfaces/ema_scheduler.hpp"

using namespace sslflow;
using namespace sslflow::testing;

namespace {

// Small heads: a projector 5 -> 12 -> 6 and a predictor 6 -> 10 -> 6.
Value small() { return Value(Value::Map{{"proj_hidden", 12}, {"proj_dim", 6}, {"pred_hidden", 10}}); }

}  // namespace

TEST_CASE("Byol.schema.paper_defaults", "[plugin]") {
  auto default_of = [](const char* option) { return testing::default_option("byol", option); };
  REQUIRE(default_of("proj_hidden").as_int() == 4096);
  REQUIRE(default_of("proj_dim").as_int() == 256);
  REQUIRE(default_of("proj_layers").as_int() == 2);
  REQUIRE(default_of("pred_hidden").as_int() == 4096);
  REQUIRE(default_of("schedule").find("plugin")->as_string() == "cosine");
  // The cosine plugin's defaults are BYOL's tau_base 0.996 -> 1.
  auto schedule = make_builtin<EmaScheduler>("cosine");
  REQUIRE(schedule->momentum(0, 100) == Approx(0.996));
  REQUIRE(schedule->momentum(100, 100) == 1.0);
}

TEST_CASE("Byol.inputs.view_counts_name_the_port", "[plugin]") { check_view_counts("byol", small()); }

TEST_CASE("Byol.target_projector.a_copy_that_follows_by_ema_and_never_trains", "[plugin][grad]") {
  check_target_projector("byol", small());
}

TEST_CASE("Byol.loss.between_zero_and_eight", "[plugin]") {
  const auto method = make_online_target("byol", small());
  method->setup(online_target_shapes(7), kMethodSetup);
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const Var x1 = features(10, 7, seed), x2 = features(10, 7, seed + 50);
    const float loss = method->forward(online_target_views(x1, x2, x2, x1)).loss.value().item();
    INFO("seed " << seed << ": loss " << loss);
    REQUIRE(loss >= 0.0f);
    REQUIRE(loss <= 8.0f + 1e-5f);
  }
}

TEST_CASE("Byol.golden.loss_gradients_and_target_update_match_pytorch", "[plugin][golden]") {
  struct Case {
    const char* name;
    int64_t features;
    Value::Map options;
  };
  const std::vector<Case> cases{
      {"paper", 6, {{"proj_hidden", 8}, {"proj_dim", 5}, {"pred_hidden", 7}}},
      {"wide", 4, {{"proj_hidden", 9}, {"proj_dim", 6}, {"pred_hidden", 10}}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      Value options(c.options);
      options.set("schedule", Value(Value::Map{{"plugin", "cosine"}, {"start", 0.9}, {"end", 1.0}}));
      const auto method = make_online_target("byol", options);
      method->setup(online_target_shapes(c.features), kMethodSetup);
      // make_byol_golden.py: LR 0.5, tau = target_ema(0, 0.9, 2) = 0.9.
      check_golden_step(*method, MethodGolden("byol", c.name), 0.5f, 0, 2);
    }
  }
}

TEST_CASE("Byol.pipeline.short_run_learns", "[plugin][engine]") {
  check_short_run_learns(short_run("byol_fmnist.yaml"), 0.2);
}
