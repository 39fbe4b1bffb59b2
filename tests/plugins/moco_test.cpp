#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "online_target_methods.hpp"

using namespace sslflow;
using namespace sslflow::testing;

namespace {

// Small heads: a projector 5 -> 12 -> 12 -> 6 and a predictor 6 -> 10 -> 6.
Value small() { return Value(Value::Map{{"proj_hidden", 12}, {"proj_dim", 6}, {"pred_hidden", 10}}); }

}  // namespace

TEST_CASE("MocoV3.schema.paper_defaults", "[plugin]") {
  auto default_of = [](const char* option) { return testing::default_option("mocov3", option); };
  REQUIRE(default_of("temperature").as_float() == 0.2);
  REQUIRE(default_of("proj_hidden").as_int() == 4096);
  REQUIRE(default_of("proj_dim").as_int() == 256);
  REQUIRE(default_of("proj_layers").as_int() == 3);
  REQUIRE(default_of("pred_hidden").as_int() == 4096);
  REQUIRE(default_of("schedule").find("plugin")->as_string() == "cosine");
}

TEST_CASE("MocoV3.projector.last_batch_norm_has_no_affine", "[plugin]") {
  // moco/builder.py, _build_mlp: Linear(bias=False) everywhere before a norm, and the
  // projector's output BatchNorm1d(affine=False): only running statistics at position 7.
  const auto method = make_online_target("mocov3", small());
  method->setup(online_target_shapes(5), kMethodSetup);
  std::vector<std::string> names;
  for (const auto& [n, _] : method->state_dict())
    if (n.starts_with("projector.")) names.push_back(n);
  CHECK(names == std::vector<std::string>{"projector.0.weight", "projector.1.weight", "projector.1.bias",
                                          "projector.3.weight", "projector.4.weight", "projector.4.bias",
                                          "projector.6.weight", "projector.1.running_mean",
                                          "projector.1.running_var", "projector.1.num_batches_tracked",
                                          "projector.4.running_mean", "projector.4.running_var",
                                          "projector.4.num_batches_tracked", "projector.7.running_mean",
                                          "projector.7.running_var", "projector.7.num_batches_tracked"});
}

TEST_CASE("MocoV3.inputs.view_counts_name_the_port", "[plugin]") { check_view_counts("mocov3", small()); }

TEST_CASE("MocoV3.target_projector.a_copy_that_follows_by_ema_and_never_trains", "[plugin][grad]") {
  check_target_projector("mocov3", small());
}

TEST_CASE("MocoV3.loss.within_the_infonce_bounds", "[plugin]") {
  // Each ctr term is 2T * CE over N keys: at least 2T * log(1 + (N - 1) e^{-2/T}), at most
  // 2T * log(1 + (N - 1) e^{2/T}); for random features near 2T log N.
  const auto method = make_online_target("mocov3", small());
  method->setup(online_target_shapes(7), kMethodSetup);
  constexpr double kT = 0.2, kN = 16;
  const double lowest = 2.0 * 2 * kT * std::log(1.0 + (kN - 1) * std::exp(-2.0 / kT));
  const double highest = 2.0 * 2 * kT * std::log(1.0 + (kN - 1) * std::exp(2.0 / kT));
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const Var x1 = features(16, 7, seed), x2 = features(16, 7, seed + 50);
    const float loss = method->forward(online_target_views(x1, x2, x2, x1)).loss.value().item();
    INFO("seed " << seed << ": loss " << loss);
    REQUIRE(std::isfinite(loss));
    REQUIRE(loss >= lowest - 1e-5);
    REQUIRE(loss <= highest + 1e-5);
  }
}

TEST_CASE("MocoV3.golden.loss_gradients_and_target_update_match_pytorch", "[plugin][golden]") {
  struct Case {
    const char* name;
    int64_t features;
    Value::Map options;
  };
  const std::vector<Case> cases{
      {"paper", 6, {{"proj_hidden", 8}, {"proj_dim", 5}, {"proj_layers", 3}, {"pred_hidden", 7}, {"temperature", 0.2}}},
      {"two_layers",
       4,
       {{"proj_hidden", 9}, {"proj_dim", 6}, {"proj_layers", 2}, {"pred_hidden", 10}, {"temperature", 1.0}}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      Value options(c.options);
      options.set("schedule", Value(Value::Map{{"plugin", "cosine"}, {"start", 0.9}, {"end", 1.0}}));
      const auto method = make_online_target("mocov3", options);
      method->setup(online_target_shapes(c.features), kMethodSetup);
      // make_moco_golden.py: LR 0.5, m = adjust_moco_momentum(0, 2, 0.9) = 0.9.
      check_golden_step(*method, MethodGolden("moco", c.name), 0.5f, 0, 2);
    }
  }
}

TEST_CASE("MocoV3.pipeline.short_run_learns", "[plugin][engine]") {
  check_short_run_learns(short_run("mocov3_fmnist.yaml"), 0.1);
}
