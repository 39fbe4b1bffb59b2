#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "online_target_methods.hpp"
#include "../../plugins/swav/sinkhorn.hpp"

using namespace sslflow;
using namespace sslflow::testing;

namespace {

InputShapes crops_of(int64_t features, size_t crops) { return {{"input", std::vector<Shape>(crops, Shape{features})}}; }

MethodInputs crop_inputs(const std::vector<Var>& crops) {
  MethodInputs inputs;
  for (const Var& x : crops) inputs.add("input", Packet{{x}});
  return inputs;
}

Value::Map small_options() {
  return {{"proj_hidden", 8}, {"proj_dim", 4}, {"prototypes", 6}, {"freeze_prototypes_steps", 0}};
}

}  // namespace

TEST_CASE("Swav.schema.paper_defaults", "[plugin]") {
  auto default_of = [](const char* option) { return testing::default_option("swav", option); };
  CHECK(default_of("proj_hidden").as_int() == 2048);
  CHECK(default_of("proj_dim").as_int() == 128);
  CHECK(default_of("prototypes").as_int() == 3000);
  CHECK(default_of("temperature").as_float() == 0.1);
  CHECK(default_of("epsilon").as_float() == 0.05);
  CHECK(default_of("sinkhorn_iterations").as_int() == 3);
  CHECK(default_of("freeze_prototypes_steps").as_int() == 313);
  CHECK(default_of("queue").as_int() == 0);
  CHECK(default_of("queue_start_epoch").as_int() == 15);
}

TEST_CASE("Swav.sinkhorn.codes_are_distributions_spread_over_the_prototypes", "[plugin]") {
  // After the last (column) normalisation every sample's codes sum to 1; the prototypes'
  // totals approach N / K as the iterations grow.
  Tensor scores = features(12, 4, 3).value();
  for (float& v : scores.values()) v = std::tanh(v);
  const Tensor codes = swav::sinkhorn_codes(scores, 0.05, 50);
  for (int64_t i = 0; i < 12; ++i) {
    double row = 0.0;
    for (int64_t j = 0; j < 4; ++j) row += codes.data()[i * 4 + j];
    CHECK(row == Approx(1.0).epsilon(1e-5));
  }
  for (int64_t j = 0; j < 4; ++j) {
    double column = 0.0;
    for (int64_t i = 0; i < 12; ++i) column += codes.data()[i * 4 + j];
    CHECK(column == Approx(3.0).epsilon(1e-3));
  }
}

TEST_CASE("Swav.inputs.crop_counts_and_shapes_name_the_method", "[plugin]") {
  using Catch::Matchers::Contains;
  const auto method = make_builtin<Method>("swav", Value(small_options()));
  REQUIRE_THROWS_AS(method->setup(crops_of(5, 1), kMethodSetup), GraphError);
  REQUIRE_THROWS_WITH(method->setup(crops_of(5, 1), kMethodSetup),
                      Contains("swav: input 'input' needs at least two connections") && Contains("got 1"));
  REQUIRE_THROWS_WITH(method->setup({{"input", {Shape{5}, Shape{5}, Shape{6}}}}, kMethodSetup),
                      Contains("swav: the features of crop 3 have shape [6], those of crop 1 [5]"));
  method->setup(crops_of(5, 3), kMethodSetup);
  REQUIRE_THROWS_WITH(method->forward(crop_inputs({features(4, 5, 1), features(4, 5, 2), features(3, 5, 3)})),
                      Contains("swav: expected features (B, 5) of one batch from every crop, got [3, 5] for crop 3"));
  REQUIRE_THROWS_AS(method->forward(crop_inputs({features(4, 5, 1)})), GraphError);
}

TEST_CASE("Swav.golden.loss_and_gradients_match_pytorch", "[plugin][golden]") {
  struct Case {
    const char* name;
    int64_t features;
    size_t crops;
    Value::Map options;
  };
  const std::vector<Case> cases{
      {"multi_crop", 6, 4, {{"proj_hidden", 8}, {"proj_dim", 4}, {"prototypes", 7}, {"freeze_prototypes_steps", 0}}},
      {"frozen", 5, 3, {{"proj_hidden", 6}, {"proj_dim", 3}, {"prototypes", 5}, {"freeze_prototypes_steps", 10}}},
      {"queue",
       4,
       2,
       {{"proj_hidden", 5}, {"proj_dim", 3}, {"prototypes", 4}, {"freeze_prototypes_steps", 0}, {"temperature", 0.2},
        {"epsilon", 0.1}, {"sinkhorn_iterations", 2}, {"queue", 6}, {"queue_start_epoch", 0}}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      const auto method = make_builtin<Method>("swav", Value(c.options));
      method->setup(crops_of(c.features, c.crops), kMethodSetup);
      const MethodGolden golden("swav", c.name);
      NamedTensors state;
      for (const auto& [n, _] : method->state_dict()) state.emplace_back(n, golden.stored(n));
      method->load_state_dict(state);

      std::vector<Var> crops;
      for (size_t v = 0; v < c.crops; ++v) crops.emplace_back(golden.stored("x" + std::to_string(v)).clone(), true);
      method->begin_step(3, 20);
      const StepOutput out = method->forward(crop_inputs(crops));
      out.loss.backward();
      golden.expect("loss", out.loss.value(), golden::kOutputTolerance);
      for (size_t v = 0; v < c.crops; ++v)
        golden.expect("x" + std::to_string(v) + ".grad", crops[v].grad(), golden::kGradTolerance);
      for (const auto& [n, p] : method->named_parameters()) {
        INFO(n);
        if (std::string(c.name) == "frozen" && n.starts_with("prototypes.")) {
          CHECK_FALSE(p.grad().defined());  // main_swav.py: p.grad = None, so the optimizer skips it
          continue;
        }
        golden.expect(n + ".grad", p.grad(), golden::kGradTolerance);
      }
      for (const auto& [n, b] : method->named_buffers()) golden.expect(n + ".updated", b, golden::kOutputTolerance);
    }
  }
}

TEST_CASE("Swav.queue.fills_from_its_epoch_and_is_used_once_full", "[plugin]") {
  // Batches of 4, a queue of 8, filling from epoch 1 of 2-step epochs: steps 0 and 1 leave
  // it empty, steps 2 and 3 fill it (codes of the batch alone), step 4 uses it: the codes
  // of a batch then change with the other batch's embeddings in the queue.
  Value::Map options = small_options();
  options.emplace_back("queue", 8);
  options.emplace_back("queue_start_epoch", 1);
  const auto method = make_builtin<Method>("swav", Value(options));
  method->setup(crops_of(5, 2), NodeSetup{"objective", 5, 2});
  auto queue = [&] { return tensor_named(method->named_buffers(), "queue"); };
  auto zeros = [](const Tensor& t) {
    for (float v : t.values())
      if (v != 0.0f) return false;
    return true;
  };
  const std::vector<Var> crops{features(4, 5, 1), features(4, 5, 2)};
  const std::vector<Var> others{features(4, 5, 3), features(4, 5, 4)};
  float alone = 0.0f;  // the loss of `crops` from their batch alone
  for (int64_t step = 0; step < 2; ++step) {
    method->begin_step(step, 10);
    alone = method->forward(crop_inputs(crops)).loss.value().item();
    CHECK(zeros(queue()));
  }
  method->begin_step(2, 10);
  const float filling = method->forward(crop_inputs(others)).loss.value().item();
  CHECK_FALSE(zeros(queue()));
  method->begin_step(3, 10);
  CHECK(method->forward(crop_inputs(others)).loss.value().item() == Approx(filling));  // still the batch alone
  method->begin_step(4, 10);
  CHECK(method->forward(crop_inputs(crops)).loss.value().item() != Approx(alone));  // the queue joins the codes

  const auto restored = make_builtin<Method>("swav", Value(options));
  restored->setup(crops_of(5, 2), NodeSetup{"objective", 5, 2});
  restored->load_state_dict(method->state_dict());
  CHECK(std::ranges::equal(tensor_named(restored->named_buffers(), "queue").values(), queue().values()));
}

TEST_CASE("Swav.pipeline.short_run_trains_the_prototypes_after_the_freeze", "[plugin][engine]") {
  // The shipped pipeline on 4 blob classes with 32 prototypes, frozen for the first 8 of 64
  // steps: the run is finite, the prototypes stay of unit length and move once unfrozen,
  // and the swapped prediction ends no worse than predicting every prototype alike
  // (log 32), the level that collapsed embeddings reach.
  const engine::RunResult run =
      short_run("swav_fmnist.yaml", {"nodes.objective.prototypes=32", "nodes.objective.freeze_prototypes_steps=8"});
  REQUIRE(run.losses.size() == 64);
  for (double loss : run.losses) REQUIRE(std::isfinite(loss));
  CHECK(metric(run.final_metrics, "objective.loss") <= std::log(32.0) + 1e-3);
  CHECK(metric(run.final_metrics, "objective.prototypes_used") >= 2);
}

TEST_CASE("Swav.prototypes.normalised_before_each_step_and_frozen_at_first", "[plugin]") {
  const auto method = make_builtin<Method>("swav", Value(Value::Map{{"proj_hidden", 8}, {"proj_dim", 4},
                                                                    {"prototypes", 6}, {"freeze_prototypes_steps", 2}}));
  method->setup(crops_of(5, 2), kMethodSetup);
  Var weight;
  for (const auto& [n, p] : method->named_parameters())
    if (n == "prototypes.weight") weight = p;
  REQUIRE(weight.defined());
  for (float& v : weight.value().values()) v *= 3.0f;
  const std::vector<Var> crops{features(4, 5, 1, true), features(4, 5, 2, true)};
  for (int64_t step = 0; step < 3; ++step) {
    INFO("step " << step);
    weight.zero_grad();
    method->begin_step(step, 3);
    for (int64_t k = 0; k < 6; ++k) {
      double squares = 0.0;
      for (int64_t d = 0; d < 4; ++d) squares += std::pow(weight.value().data()[k * 4 + d], 2);
      CHECK(squares == Approx(1.0).epsilon(1e-5));
    }
    method->forward(crop_inputs(crops)).loss.backward();
    CHECK(weight.grad().defined() == (step >= 2));
    CHECK(crops[0].grad().defined());  // the frozen prototypes still pass a gradient to the crops
  }
}
