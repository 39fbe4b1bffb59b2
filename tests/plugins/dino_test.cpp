#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "online_target_methods.hpp"
#include "sslflow/interfaces/ema_scheduler.hpp"

using namespace sslflow;
using namespace sslflow::testing;
using Catch::Matchers::Contains;

namespace {

// A small head (mlp 5 -> 12 -> 12 -> 6, last layer 6 -> 16) and a 3-epoch temperature warm-up.
Value small() {
  return Value(
      Value::Map{{"hidden_dim", 12}, {"bottleneck_dim", 6}, {"out_dim", 16}, {"warmup_teacher_temp_epochs", 3}});
}

// `crops` student crops and two teacher crops of `features`-wide features.
InputShapes crop_shapes(int64_t features, size_t crops = 4, size_t targets = 2) {
  return online_target_shapes(features, crops, targets);
}

// Crops x_v (v < crops) on `input` and two global crops on `target`, `batch` samples each.
MethodInputs crop_inputs(int64_t batch, int64_t width, size_t crops = 4, size_t targets = 2) {
  MethodInputs inputs;
  for (size_t v = 0; v < crops; ++v) inputs.add("input", Packet{{features(batch, width, v)}});
  for (size_t i = 0; i < targets; ++i) inputs.add("target", Packet{{features(batch, width, 20 + i)}});
  return inputs;
}

std::shared_ptr<Method> make_dino(Value options = small(), int64_t steps_per_epoch = 1) {
  const auto method = make_builtin<Method>("dino", options);
  method->setup(crop_shapes(5), NodeSetup{"objective", 5, steps_per_epoch});
  return method;
}

}  // namespace

TEST_CASE("Dino.schema.paper_defaults", "[plugin]") {
  auto default_of = [](const char* option) { return default_option("dino", option); };
  REQUIRE(default_of("out_dim").as_int() == 65536);
  REQUIRE(default_of("hidden_dim").as_int() == 2048);
  REQUIRE(default_of("bottleneck_dim").as_int() == 256);
  REQUIRE(default_of("head_layers").as_int() == 3);
  REQUIRE(default_of("norm_last_layer").as_bool());
  REQUIRE(default_of("student_temp").as_float() == 0.1);
  REQUIRE(default_of("warmup_teacher_temp").as_float() == 0.04);
  REQUIRE(default_of("teacher_temp").as_float() == 0.07);
  REQUIRE(default_of("warmup_teacher_temp_epochs").as_int() == 30);
  REQUIRE(default_of("center_momentum").as_float() == 0.9);
  REQUIRE(default_of("freeze_last_layer").as_int() == 1);
  REQUIRE(default_of("schedule").find("plugin")->as_string() == "cosine");
  auto schedule = make_builtin<EmaScheduler>("cosine");
  REQUIRE(schedule->momentum(0, 100) == Approx(0.996));  // main_dino.py's --momentum_teacher
}

TEST_CASE("Dino.inputs.counts_name_the_port", "[plugin]") {
  struct Case {
    size_t crops, targets;
    std::string message;
  };
  const std::vector<Case> cases{
      {1, 2, "dino: input 'input' needs at least two connections"},
      {2, 1, "dino: input 'target' needs exactly two connections"},
      {4, 3, "dino: input 'target' needs exactly two connections"},
  };
  for (const Case& c : cases) {
    INFO(c.crops << " crops, " << c.targets << " targets");
    const std::string got = "got " + std::to_string(c.crops < 2 ? c.crops : c.targets);
    const auto method = make_builtin<Method>("dino", small());
    REQUIRE_THROWS_AS(method->setup(crop_shapes(5, c.crops, c.targets), kMethodSetup), GraphError);
    REQUIRE_THROWS_WITH(method->setup(crop_shapes(5, c.crops, c.targets), kMethodSetup),
                        Contains(c.message) && Contains(got));
    const auto ready = make_dino();
    REQUIRE_THROWS_AS(ready->forward(crop_inputs(4, 5, c.crops, c.targets)), GraphError);
    REQUIRE_THROWS_WITH(ready->forward(crop_inputs(4, 5, c.crops, c.targets)), Contains(c.message) && Contains(got));
  }
}

TEST_CASE("Dino.inputs.shapes_and_batches_must_agree", "[plugin]") {
  const auto method = make_builtin<Method>("dino", small());
  REQUIRE_THROWS_WITH(method->setup({{"input", {Shape{5}, Shape{5}, Shape{6}}}, {"target", {Shape{5}, Shape{5}}}},
                                    kMethodSetup),
                      Contains("dino: the features of crop 3 have shape [6], crop 1's [5]"));
  REQUIRE_THROWS_WITH(method->setup({{"input", {Shape{5}, Shape{5}}}, {"target", {Shape{5}, Shape{4}}}}, kMethodSetup),
                      Contains("dino: the features of target crop 2 have shape [4]"));
  REQUIRE_THROWS_AS(method->setup({{"input", {Shape{1, 5}, Shape{1, 5}}}, {"target", {Shape{1, 5}, Shape{1, 5}}}},
                                  kMethodSetup),
                    ShapeError);

  const auto ready = make_dino();
  MethodInputs uneven = crop_inputs(4, 5, 3);
  uneven.add("input", Packet{{features(3, 5, 9)}});  // a fourth crop of 3 samples
  REQUIRE_THROWS_AS(ready->forward(uneven), ShapeError);
  REQUIRE_THROWS_WITH(ready->forward(uneven), Contains("dino: expected the features of crop 4 as (B, F) = [4, 5]") &&
                                                  Contains("got [3, 5]"));
  MethodInputs narrow;
  for (size_t v = 0; v < 2; ++v) narrow.add("input", Packet{{features(4, 6, v)}});
  for (size_t i = 0; i < 2; ++i) narrow.add("target", Packet{{features(4, 6, 20 + i)}});
  REQUIRE_THROWS_WITH(ready->forward(narrow), Contains("dino: expected the features of crop 1 as (B, 5), got [4, 6]"));
}

TEST_CASE("Dino.inputs.a_batch_of_one_trains", "[plugin]") {
  // Nothing in DINO's loss needs batch statistics: one sample gives a finite loss and gradients.
  const auto method = make_dino();
  const Var x = features(1, 5, 1, true);
  MethodInputs inputs = crop_inputs(1, 5, 1);
  inputs.add("input", Packet{{x}});
  const StepOutput out = method->forward(inputs);
  REQUIRE(std::isfinite(out.loss.value().item()));
  out.loss.backward();
  REQUIRE(x.has_grad());
}

TEST_CASE("Dino.teacher_temperature.linear_warmup_per_epoch_then_constant", "[plugin]") {
  // steps_per_epoch 2, warm-up over 3 epochs: np.linspace(0.04, 0.07, 3) = 0.04, 0.055, 0.07,
  // one value for both steps of an epoch, then 0.07.
  const auto method = make_dino(small(), 2);
  const std::vector<double> expected{0.04, 0.04, 0.055, 0.055, 0.07, 0.07, 0.07};
  for (size_t step = 0; step < expected.size(); ++step) {
    INFO("step " << step);
    method->begin_step(static_cast<int64_t>(step), 10);
    CHECK(metric(method->forward(crop_inputs(4, 5)).metrics, "teacher_temp") == Approx(expected[step]));
    method->end_step(static_cast<int64_t>(step), 10);
  }
  Value constant = small();
  constant.set("warmup_teacher_temp_epochs", Value(0));
  CHECK(metric(make_dino(constant)->forward(crop_inputs(4, 5)).metrics, "teacher_temp") == Approx(0.07));
}

TEST_CASE("Dino.last_layer.no_gradient_during_the_first_epochs", "[plugin][grad]") {
  // freeze_last_layer 1 with 3 steps per epoch: steps 0-2 leave the last layer without a
  // gradient (the optimizer skips it, as utils.py's p.grad = None), step 3 gives it one.
  const auto method = make_dino(small(), 3);
  for (int64_t step = 0; step < 4; ++step) {
    INFO("step " << step);
    for (Var& p : method->parameters()) p.zero_grad();
    method->begin_step(step, 10);
    method->forward(crop_inputs(4, 5)).loss.backward();
    for (const auto& [name, p] : method->named_parameters()) {
      INFO(name);
      CHECK(p.has_grad() == (step >= 3 || !name.starts_with("student_head.2.")));
    }
    method->end_step(step, 10);
  }
}

TEST_CASE("Dino.teacher_head.a_copy_of_buffers_that_no_gradient_reaches", "[plugin][grad]") {
  const auto method = make_dino();
  // DINOHead's names, its mlp at position 0 and its last_layer at 2.
  std::vector<std::string> student;
  for (const auto& [n, _] : method->state_dict())
    if (n.starts_with("student_head.")) student.push_back(n.substr(13));
  std::ranges::sort(student);
  REQUIRE(student == std::vector<std::string>{"0.0.bias", "0.0.weight", "0.2.bias", "0.2.weight", "0.4.bias",
                                              "0.4.weight", "2.weight_g", "2.weight_v"});
  for (const auto& [n, _] : method->named_parameters()) {
    INFO(n);
    REQUIRE(n.starts_with("student_head."));
  }
  const NamedTensors buffers = method->named_buffers();
  for (const std::string& n : student) {
    INFO(n);
    REQUIRE(std::ranges::equal(tensor_named(buffers, "teacher_head." + n).values(),
                               tensor_named(method->state_dict(), "student_head." + n).values()));
  }
  REQUIRE(tensor_named(buffers, "center").shape() == Shape{1, 16});
  const Var t1 = features(4, 5, 30, true), t2 = features(4, 5, 31, true);
  MethodInputs inputs = crop_inputs(4, 5, 4, 0);
  inputs.add("target", Packet{{t1}});
  inputs.add("target", Packet{{t2}});
  method->forward(inputs).loss.backward();
  REQUIRE_FALSE(t1.has_grad());
  REQUIRE_FALSE(t2.has_grad());
}

TEST_CASE("Dino.golden.loss_gradients_centre_and_teacher_head_match_pytorch", "[plugin][golden]") {
  struct Case {
    const char* name;
    int64_t features;
    size_t crops;
    int64_t epoch;
    bool frozen;  // epoch < freeze_last_layer
    Value::Map options;
  };
  // make_dino_golden.py's CASES.
  const std::vector<Case> cases{
      {"multi_crop", 6, 4, 2, false,
       {{"hidden_dim", 10}, {"bottleneck_dim", 5}, {"out_dim", 12}, {"head_layers", 3},
        {"warmup_teacher_temp_epochs", 5}}},
      {"frozen_last_layer", 5, 3, 0, true,
       {{"hidden_dim", 7}, {"bottleneck_dim", 4}, {"out_dim", 9}, {"head_layers", 2}, {"norm_last_layer", false},
        {"warmup_teacher_temp_epochs", 3}}},
      {"global_only", 4, 2, 3, false,
       {{"hidden_dim", 8}, {"bottleneck_dim", 3}, {"out_dim", 7}, {"head_layers", 1}, {"warmup_teacher_temp_epochs", 2},
        {"freeze_last_layer", 0}}},
  };
  constexpr int64_t kSteps = 8;  // make_dino_golden.py: STEPS, one per epoch; LR 0.5; momentum 0.9 -> 1
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      const MethodGolden golden("dino", c.name);
      Value options(c.options);
      options.set("schedule", Value(Value::Map{{"plugin", "cosine"}, {"start", 0.9}, {"end", 1.0}}));
      const auto method = make_builtin<Method>("dino", options);
      method->setup(crop_shapes(c.features, c.crops), NodeSetup{"objective", 5, 1});

      const Tensor schedule = golden.stored("schedule");
      NamedTensors state;
      for (const auto& [n, _] : method->state_dict()) state.emplace_back(n, golden.stored(n));
      method->load_state_dict(state);
      method->begin_step(c.epoch, kSteps);  // the case's epoch

      std::vector<Var> crops;
      MethodInputs inputs;
      for (size_t v = 0; v < c.crops; ++v) {
        crops.emplace_back(golden.stored("x" + std::to_string(v)).clone(), true);
        inputs.add("input", Packet{{crops.back()}});
      }
      for (int i = 0; i < 2; ++i) inputs.add("target", Packet{{Var(golden.stored("t" + std::to_string(i)).clone())}});
      const StepOutput out = method->forward(inputs);
      out.loss.backward();
      golden.expect("loss", out.loss.value(), golden::kOutputTolerance);
      for (const char* name : {"teacher_temp", "teacher_entropy", "kl"}) golden.expect_metric(out.metrics, name);
      CHECK(metric(out.metrics, "teacher_temp") == Approx(schedule.data()[c.epoch]));
      for (size_t v = 0; v < c.crops; ++v)
        golden.expect("x" + std::to_string(v) + ".grad", crops[v].grad(), golden::kGradTolerance);
      for (const auto& [n, p] : method->named_parameters()) {
        INFO(n);
        if (c.frozen && n.starts_with("student_head.2.")) {
          CHECK_FALSE(p.has_grad());
          continue;
        }
        golden.expect(n + ".grad", p.grad(), golden::kGradTolerance);
      }

      for (auto& [n, p] : method->named_parameters())
        if (const Tensor g = p.grad(); g.defined())
          for (int64_t i = 0; i < g.numel(); ++i) p.value().data()[i] -= 0.5f * g.data()[i];
      method->end_step(c.epoch, kSteps);
      golden.expect("center.updated", tensor_named(method->named_buffers(), "center"), golden::kOutputTolerance);
      // The teacher follows a student moved by the gradients: their tolerance. (DINOHead's
      // N(0, 0.02^2) weights make the mlp's output small and the normalisation's gradients large.)
      for (const auto& [n, b] : method->named_buffers())
        if (n.starts_with("teacher_head.")) golden.expect(n + ".followed", b, golden::kGradTolerance);
    }
  }
}

TEST_CASE("Dino.schedule.matches_the_official_teacher_temp_schedule", "[plugin][golden]") {
  // make_dino_golden.py's "multi_crop" schedule: warm-up over 5 of 8 epochs.
  const Tensor schedule = MethodGolden("dino", "multi_crop").stored("schedule");
  REQUIRE(schedule.numel() == 8);
  Value options = small();
  options.set("warmup_teacher_temp_epochs", Value(5));
  const auto method = make_dino(options);
  for (int64_t epoch = 0; epoch < 8; ++epoch) {
    INFO("epoch " << epoch);
    method->begin_step(epoch, 8);
    CHECK(metric(method->forward(crop_inputs(4, 5)).metrics, "teacher_temp") ==
          Approx(schedule.data()[epoch]).epsilon(1e-6));
    method->end_step(epoch, 8);
  }
}

TEST_CASE("Dino.pipeline.multi_crop_training_learns", "[plugin][engine]") {
  // Two global crops of 16 pixels and two local crops of 8 through one small ResNet; the
  // teacher node sees the global crops. 128 images in batches of 32 are 4 steps per epoch
  // (NodeSetup::steps_per_epoch, filled by the engine), so the last step, in epoch 2 of a
  // 4-epoch warm-up, has tau_t = linspace(0.04, 0.07, 4)[2] = 0.06.
  const char* yaml = R"(name: dino-blobs
seed: 3
train: {epochs: 3, batch_size: 32, lr_schedule: cosine,
        optimizer: {plugin: sgd, lr: 0.05, momentum: 0.9, weight_decay: 5.0e-4}}
data: {plugin: synthetic, train_size: 128, test_size: 64, num_classes: 4, image_size: 16, channels: 3}
nodes:
  global1: {plugin: random_resized_crop, input: data.image, size: 16, scale: [0.4, 1.0]}
  global2: {plugin: random_resized_crop, input: data.image, size: 16, scale: [0.4, 1.0]}
  local1: {plugin: random_resized_crop, input: data.image, size: 8, scale: [0.05, 0.4]}
  local2: {plugin: random_resized_crop, input: data.image, size: 8, scale: [0.05, 0.4]}
  backbone: {plugin: resnet, inputs: [global1, global2, local1, local2], stem: cifar, width: 8}
  teacher: {ema_of: backbone, inputs: [global1, global2], schedule: {plugin: cosine, start: 0.99}}
  objective:
    plugin: dino
    inputs: [backbone.0, backbone.1, backbone.2, backbone.3]
    targets: [teacher.0, teacher.1]
    hidden_dim: 64
    bottleneck_dim: 32
    out_dim: 128
    warmup_teacher_temp_epochs: 4
    schedule: {plugin: cosine, start: 0.99}
eval:
  - {plugin: knn, node: backbone, k: 10}
)";
  const auto pipeline = engine::validate(PipelineConfig::parse(yaml, "dino_blobs.yaml"), builtin_registry());
  const engine::RunResult run = engine::train(pipeline, {});
  REQUIRE(run.losses.size() == 12);
  for (double loss : run.losses) REQUIRE(std::isfinite(loss));
  CHECK(metric(run.final_metrics, "objective.teacher_temp") == Approx(0.06));
  const double knn = metric(run.final_metrics, "knn.top1");
  INFO("knn.top1 " << knn);
  CHECK(knn > 0.25);
}

TEST_CASE("Dino.pipeline.shipped_recipe_trains_end_to_end", "[plugin][engine]") {
  // pipelines/dino_fmnist.yaml's six crops through the ResNet for 8 epochs of generated
  // blobs: every loss finite and the backbone's kNN above chance (0.25). DINO's loss need
  // not fall over so short a run (the teacher's temperature rises through it, softening
  // the targets).
  const engine::RunResult run = short_run("dino_fmnist.yaml");
  REQUIRE(run.losses.size() == 64);
  for (double loss : run.losses) REQUIRE(std::isfinite(loss));
  const double knn = metric(run.final_metrics, "knn.top1");
  INFO("knn.top1 " << knn);
  CHECK(knn > 0.25);
}
