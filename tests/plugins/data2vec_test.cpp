#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "builtin_registry.hpp"
#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/loss.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/io/safetensors.hpp"
#include "sslflow/ops.hpp"
#include "train/trainer.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using namespace sslflow;

namespace {

// Records the target rows data2vec hands its loss and compares as the built-in loss does.
class RecordingLoss final : public Loss {
 public:
  Var operator()(const Var& pred, const Var& target) const override {
    target_ = target;
    return smooth_l1_loss(pred, target, 2.0f);
  }
  const Var& target() const { return target_; }

 private:
  mutable Var target_;
};

Tensor tensor(Shape shape, std::vector<float> values) { return Tensor(shape, values); }

// A data2vec method built from `options` and set up for tokens (T, D) and a teacher of
// `blocks` blocks; with `loss`, that object is its `loss:` plugin.
std::shared_ptr<Method> make_data2vec(Value::Map options, int64_t tokens, int64_t dim,
                                      std::shared_ptr<Loss> loss = nullptr, size_t blocks = 4) {
  const Registry& registry = testing::builtin_registry();
  const PluginInfo* info = registry.find(Method::kKind, "data2vec");
  REQUIRE(info != nullptr);
  if (loss) options.emplace_back("loss", Value(Value::Map{{"plugin", "supplied"}}));
  Params params = Params::resolve(info->key(), info->schema, Value(std::move(options)));
  if (loss) params.set_plugin("loss", loss);
  auto method = registry.create<Method>("data2vec", params);
  method->setup({{"student", {Shape{tokens, dim}}},
                 {"teacher", std::vector<Shape>(blocks, Shape{tokens, dim})},
                 {"mask", {Shape{tokens}}}},
                NodeSetup{"objective", 5});
  return method;
}

StepOutput run(Method& method, const Var& student, const std::vector<Tensor>& blocks, const Tensor& mask) {
  MethodInputs inputs;
  inputs.add("student", Packet{{student}});
  Packet teacher;
  for (const Tensor& block : blocks) teacher.values.emplace_back(block);
  inputs.add("teacher", teacher);
  inputs.add("mask", Packet{{Var(mask)}});
  return method.forward(inputs);
}

// The target data2vec regresses, for `options` with no head.
Tensor target_of(Value::Map options, const std::vector<Tensor>& blocks, const Tensor& mask) {
  auto loss = std::make_shared<RecordingLoss>();
  options.emplace_back("head", "none");
  auto method = make_data2vec(std::move(options), mask.dim(1), blocks.front().dim(2), loss, blocks.size());
  run(*method, Var(Tensor(blocks.front().shape())), blocks, mask);
  return loss->target().value();
}

double metric(const Metrics& metrics, const std::string& name) {
  auto it = std::find_if(metrics.begin(), metrics.end(), [&](const auto& m) { return m.first == name; });
  INFO("metric " << name);
  REQUIRE(it != metrics.end());
  return it->second;
}

void check_close(const Tensor& actual, const Tensor& expected, double tolerance, const std::string& what) {
  REQUIRE(actual.shape() == expected.shape());
  double worst = 0.0;
  int64_t at = 0;
  for (int64_t i = 0; i < actual.numel(); ++i)
    if (const double d = std::abs(double(actual.data()[i]) - double(expected.data()[i])); d > worst) {
      worst = d;
      at = i;
    }
  INFO(what << ": largest difference " << worst << " at element " << at);
  CHECK(worst <= tolerance);
}

const float kLn = 1.0f / std::sqrt(1.0f + 1e-5f);  // a layer norm of two values a +- 1

}  // namespace

TEST_CASE("Data2Vec.top_k.changes_the_target", "[plugin]") {
  const Tensor mask = tensor({1, 2}, {1, 1});
  const std::vector<Tensor> blocks{tensor({1, 2, 2}, {1, 0, 0, 1}), tensor({1, 2, 2}, {3, 1, 2, 5})};
  const Value::Map plain{{"target_norm", "none"}, {"block_norm", "none"}};
  Value::Map top1 = plain, top2 = plain;
  top1.emplace_back("top_k", 1);
  top2.emplace_back("top_k", 2);
  check_close(target_of(top1, blocks, mask), tensor({2, 2}, {3, 1, 2, 5}), 0.0, "top_k 1: the last block");
  check_close(target_of(top2, blocks, mask), tensor({2, 2}, {2, 0.5f, 1, 3}), 1e-7, "top_k 2: the mean of both");
}

TEST_CASE("Data2Vec.top_k.more_than_the_blocks_is_an_error", "[plugin]") {
  // At setup, from the teacher's block shapes; and again if a step brings fewer blocks.
  REQUIRE_THROWS_WITH(make_data2vec({{"top_k", 3}}, 2, 2, nullptr, 2),
                      Contains("data2vec: top_k 3 exceeds the teacher's 2 blocks; set top_k to at most 2"));
  auto method = make_data2vec({{"top_k", 3}}, 2, 2, nullptr, 3);
  const Tensor block(Shape{1, 2, 2});
  REQUIRE_THROWS_WITH(run(*method, Var(block), {block, block}, tensor({1, 2}, {1, 0})),
                      Contains("data2vec: top_k 3 exceeds the teacher's 2 blocks"));
}

TEST_CASE("Data2Vec.schema.defaults_are_the_vision_recipe", "[plugin]") {
  const PluginInfo* info = testing::builtin_registry().find(Method::kKind, "data2vec");
  REQUIRE(info != nullptr);
  auto default_of = [&](const char* option) {
    const Option* declared = find_option(info->schema, option);
    REQUIRE(declared != nullptr);
    return declared->default_value();
  };
  CHECK(default_of("top_k").as_int() == 6);
  CHECK(default_of("block_norm").as_string() == "layer_norm");
  CHECK(default_of("target_norm").as_string() == "layer_norm");
  // The old name of the per-token layer norm is not taken for it: it is an unknown option.
  CHECK_THROWS_AS(Params::resolve(info->key(), info->schema, Value(Value::Map{{"instance_norm_blocks", true}})),
                  OptionError);
  CHECK_THROWS_AS(Params::resolve(info->key(), info->schema, Value(Value::Map{{"block_norm", "rms"}})), OptionError);
}

TEST_CASE("Data2Vec.target_norm.layer_norm_per_token", "[plugin]") {
  const Tensor mask = tensor({1, 2}, {1, 1});
  const std::vector<Tensor> blocks{tensor({1, 2, 2}, {1, 3, 10, 8})};
  const Tensor y = target_of({{"top_k", 1}, {"block_norm", "none"}}, blocks, mask);
  check_close(y, tensor({2, 2}, {-kLn, kLn, kLn, -kLn}), 1e-6, "layer norm of [1, 3] and [10, 8]");
}

TEST_CASE("Data2Vec.target_norm.rms_per_sample_and_feature_over_its_masked_tokens", "[plugin]") {
  // Sample 0: tokens [3, 4], [100, 100] (not masked), [4, 0]: the feature RMS are sqrt(12.5)
  // and sqrt(8). Sample 1 is sample 0 times 10, so it normalises to the same values; an RMS
  // pooled over the batch would shrink sample 0 and enlarge sample 1.
  const Tensor mask = tensor({2, 3}, {1, 0, 1, 1, 0, 1});
  const std::vector<Tensor> blocks{tensor({2, 3, 2}, {3, 4, 100, 100, 4, 0, 30, 40, 1000, 1000, 40, 0})};
  const Tensor y = target_of({{"top_k", 1}, {"block_norm", "none"}, {"target_norm", "rms"}}, blocks, mask);
  const float r0 = std::sqrt(12.5f), r1 = std::sqrt(8.0f);
  const std::vector<float> sample{3 / r0, 4 / r1, 4 / r0, 0};
  std::vector<float> both = sample;
  both.insert(both.end(), sample.begin(), sample.end());
  check_close(y, tensor({4, 2}, both), 1e-6, "per-sample, per-feature RMS");
  // The epsilon is added to the RMS, outside the root: y / (rms + 1e-8). A feature of RMS
  // 1e-8 halves; inside the root it would shrink by sqrt(2).
  const std::vector<Tensor> tiny{tensor({1, 1, 1}, {1e-8f})};
  const Tensor t = target_of({{"top_k", 1}, {"block_norm", "none"}, {"target_norm", "rms"}}, tiny, tensor({1, 1}, {1}));
  CHECK_THAT(t.data()[0], WithinAbs(0.5, 1e-6));
}

TEST_CASE("Data2Vec.block_norm.layer_norm_per_token_before_averaging", "[plugin]") {
  const Tensor mask = tensor({1, 1}, {1});
  const std::vector<Tensor> blocks{tensor({1, 1, 2}, {0, 2}), tensor({1, 1, 2}, {30, 28})};
  const Value::Map options{{"top_k", 2}, {"target_norm", "none"}};
  check_close(target_of(options, blocks, mask), tensor({1, 2}, {0, 0}), 1e-6, "[-1, 1] and [1, -1] average to 0");
  Value::Map raw = options;
  raw.emplace_back("block_norm", "none");
  check_close(target_of(raw, blocks, mask), tensor({1, 2}, {15, 15}), 1e-6, "raw blocks average");
}

TEST_CASE("Data2Vec.block_norm.instance_norm_per_feature_over_the_tokens", "[plugin]") {
  // One sample of three tokens [1, 10], [2, 10], [3, 40]; only the first is masked, but the
  // statistics are each feature's over all three: means 2 and 20, biased variances 2/3 and 200.
  const Tensor mask = tensor({1, 3}, {1, 0, 0});
  const std::vector<Tensor> blocks{tensor({1, 3, 2}, {1, 10, 2, 10, 3, 40})};
  const Tensor y = target_of({{"top_k", 1}, {"block_norm", "instance_norm"}, {"target_norm", "none"}}, blocks, mask);
  const double first = -1.0 / std::sqrt(2.0 / 3.0 + 1e-5), second = -10.0 / std::sqrt(200.0 + 1e-5);
  check_close(y, tensor({1, 2}, {float(first), float(second)}), 1e-6, "instance norm over the tokens");
}

TEST_CASE("Data2Vec.loss.counts_only_masked_tokens", "[plugin]") {
  auto method = make_data2vec({{"top_k", 2}}, 4, 3);
  Rng rng(3, "test.data2vec");
  auto random = [&](Shape shape) {
    Tensor t(shape);
    for (float& x : t.values()) x = rng.normal();
    return t;
  };
  const Tensor mask = tensor({2, 4}, {1, 0, 0, 1, 0, 1, 1, 0});
  const std::vector<Tensor> blocks{random({2, 4, 3}), random({2, 4, 3}), random({2, 4, 3})};
  const Tensor tokens = random({2, 4, 3});
  Var student(tokens.clone(), true);
  const StepOutput base = run(*method, student, blocks, mask);
  base.loss.backward();
  CHECK_THAT(metric(base.metrics, "masked_fraction"), WithinAbs(0.5, 1e-12));
  CHECK(metric(base.metrics, "pred_std") > 0.0);
  CHECK(metric(base.metrics, "target_std") > 0.0);

  Tensor unmasked_changed = tokens.clone();
  Tensor masked_changed = tokens.clone();
  for (int64_t token = 0; token < 8; ++token)
    for (int64_t d = 0; d < 3; ++d) {
      const bool masked = mask.data()[token] > 0.5f;
      (masked ? masked_changed : unmasked_changed).data()[token * 3 + d] += 5.0f;
      if (!masked) CHECK(student.grad().data()[token * 3 + d] == 0.0f);
    }
  CHECK(run(*method, Var(unmasked_changed), blocks, mask).loss.value().item() == base.loss.value().item());
  CHECK(run(*method, Var(masked_changed), blocks, mask).loss.value().item() != base.loss.value().item());
}

TEST_CASE("Data2Vec.setup.mismatched_shapes_are_named", "[plugin]") {
  const Registry& registry = testing::builtin_registry();
  const PluginInfo* info = registry.find(Method::kKind, "data2vec");
  REQUIRE(info != nullptr);
  auto method = registry.create<Method>("data2vec", Params::resolve(info->key(), info->schema, Value(Value::Map{})));
  REQUIRE_THROWS_AS(method->setup({{"student", {Shape{4, 8}}}, {"teacher", {Shape{4, 6}}}, {"mask", {Shape{4}}}},
                                  NodeSetup{"objective", 0}),
                    ShapeError);
  REQUIRE_THROWS_WITH(method->setup({{"student", {Shape{4, 8}}}, {"teacher", {Shape{4, 8}}}, {"mask", {Shape{5}}}},
                                    NodeSetup{"objective", 0}),
                      Contains("data2vec: mask [5]"));

  auto ready = make_data2vec({{"top_k", 1}}, 4, 8);
  const Tensor tokens(Shape{2, 4, 8});
  REQUIRE_THROWS_WITH(run(*ready, Var(tokens), {Tensor(Shape{2, 4, 6})}, Tensor(Shape{2, 4})),
                      Contains("data2vec teacher block"));
  REQUIRE_THROWS_WITH(run(*ready, Var(tokens), {tokens}, Tensor(Shape{2, 4})), Contains("marks no token"));
}

TEST_CASE("Data2Vec.golden.matches_pytorch", "[plugin][golden]") {
  const auto file = io::read_safetensors(SSLFLOW_SOURCE_DIR "/tests/plugins/data/data2vec.safetensors");
  std::map<std::string, Tensor> ref(file.tensors.begin(), file.tensors.end());
  auto get = [&](const std::string& name) {
    INFO("tensor " << name);
    REQUIRE(ref.count(name) == 1);
    return ref.at(name);
  };
  struct Case {
    const char* name;
    int blocks;
    Value::Map options;
  };
  const std::vector<Case> cases{
      {"vision", 3, {{"top_k", 2}}},
      {"v2", 3, {{"top_k", 3}, {"block_norm", "instance_norm"}}},
      {"stable_pretraining", 3, {{"top_k", 2}, {"block_norm", "none"}}},
      {"instance_targets",
       2,
       {{"top_k", 2}, {"block_norm", "none"}, {"target_norm", "instance_norm"}, {"head", "none"}}},
      {"tokens", 2, {{"top_k", 1}, {"block_norm", "none"}, {"target_norm", "rms"}, {"head", "none"}}},
      {"all_blocks", 3, {{"top_k", 3}, {"target_norm", "none"}}},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      const std::string p = std::string(c.name) + ".";
      const Tensor student = get(p + "student");
      std::vector<Tensor> blocks;
      for (int l = 0; l < c.blocks; ++l) blocks.push_back(get(p + "blocks." + std::to_string(l)));
      const Tensor mask = get(p + "mask");
      const bool head = ref.count(p + "head.weight") > 0;

      auto method = make_data2vec(c.options, student.dim(1), student.dim(2));
      if (head) method->load_state_dict({{"head.weight", get(p + "head.weight")}, {"head.bias", get(p + "head.bias")}});
      Var s(student.clone(), true);
      const StepOutput out = run(*method, s, blocks, mask);
      out.loss.backward();
      CHECK_THAT(out.loss.value().item(), WithinAbs(get(p + "loss").item(), 1e-5));
      check_close(s.grad(), get(p + "student.grad"), 1e-6, "student.grad");
      for (const auto& [name, v] : method->named_parameters())
        check_close(v.grad(), get(p + name + ".grad"), 1e-5, name);
      CHECK(method->named_parameters().size() == (head ? 2u : 0u));

      auto loss = std::make_shared<RecordingLoss>();
      auto recording = make_data2vec(c.options, student.dim(1), student.dim(2), loss);
      run(*recording, Var(student), blocks, mask);
      check_close(loss->target().value(), get(p + "target"), 1e-5, "target");

      // The shipped smooth_l1 plugin with data2vec's beta computes the same loss.
      auto smooth_l1 = testing::make_builtin<Loss>("smooth_l1", Value(Value::Map{{"beta", 2.0}}));
      auto plugged = make_data2vec(c.options, student.dim(1), student.dim(2), smooth_l1);
      if (head) plugged->load_state_dict(method->state_dict());
      CHECK_THAT(run(*plugged, Var(student), blocks, mask).loss.value().item(),
                 WithinAbs(out.loss.value().item(), 1e-6));
    }
  }
}

namespace {

// A short run of a shipped pipeline on the synthetic dataset (8 epochs of 8 steps), the
// features of node `evaluated` scored at the end.
engine::RunResult short_run(const std::string& file, const std::string& evaluated = "student") {
  const std::vector<std::string> overrides{
      "data={plugin: synthetic, train_size: 256, test_size: 128, num_classes: 4}",
      "train.epochs=8",
      "train.batch_size=32",
      "train.warmup_epochs=0",
      "eval=[{plugin: knn, node: " + evaluated + "}, {plugin: health, node: " + evaluated + "}]",
  };
  const auto config = PipelineConfig::load(SSLFLOW_SOURCE_DIR "/pipelines/" + file, overrides);
  return engine::train(engine::validate(config, testing::builtin_registry()), {});
}

// The loss falls; the teacher's targets keep their spread over the masked tokens; the
// student's features tell the four classes apart well above chance (0.25) and keep an
// effective rank above 1 (a representation collapsed to a constant has rank 1).
void check_learns_without_collapse(const engine::RunResult& run) {
  const std::vector<double>& losses = run.losses;
  REQUIRE(losses.size() == 64);
  const double first = std::accumulate(losses.begin(), losses.begin() + 8, 0.0) / 8.0;
  const double last = std::accumulate(losses.end() - 8, losses.end(), 0.0) / 8.0;
  INFO("mean loss of the first 8 steps " << first << ", of the last 8 " << last);
  CHECK(last < 0.9 * first);
  CHECK(metric(run.final_metrics, "objective.masked_fraction") == 0.625);  // 10 of 16 patches
  CHECK(metric(run.final_metrics, "objective.target_std") > 0.05);
  CHECK(metric(run.final_metrics, "knn.top1") > 0.4);
  CHECK(metric(run.final_metrics, "health.rankme") > 1.5);
  // The teacher's momentum at the last of the 64 steps, linear from 0.999 to 0.9999.
  CHECK_THAT(metric(run.final_metrics, "teacher.momentum"), WithinAbs(0.999 + 0.0009 * 63.0 / 64.0, 1e-12));
}

}  // namespace

TEST_CASE("Data2Vec.pipeline.token_form_learns", "[plugin][engine]") {
  check_learns_without_collapse(short_run("data2vec_tokens_fmnist.yaml"));
}

TEST_CASE("Data2Vec.pipeline.vision_form_learns", "[plugin][engine]") {
  check_learns_without_collapse(short_run("data2vec_fmnist.yaml"));
}

TEST_CASE("Data2Vec.pipeline.the_ema_teacher_is_evaluated", "[plugin][engine]") {
  // `eval: [{plugin: knn, node: teacher}]` scores the teacher's features, which after 64
  // steps at momentum 0.999 are still near the initial weights and differ from the student's.
  const engine::RunResult teacher = short_run("data2vec_tokens_fmnist.yaml", "teacher");
  const engine::RunResult student = short_run("data2vec_tokens_fmnist.yaml", "student");
  CHECK(teacher.losses == student.losses);  // the same training; only the evaluated node differs
  CHECK(metric(teacher.final_metrics, "knn.top1") > 0.25);
  CHECK(metric(teacher.final_metrics, "health.rankme") != metric(student.final_metrics, "health.rankme"));
}
