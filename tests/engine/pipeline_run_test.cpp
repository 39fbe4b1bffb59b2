#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <atomic>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <tbb/global_control.h>

#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/safetensors.hpp"
#include "sslflow/stop.hpp"
#include "../sdk/io_test_support.hpp"
#include "toy_plugins.hpp"
#include "train/batch_runner.hpp"
#include "train/trainer.hpp"

using namespace sslflow;
using sslflow::testing::toy_registry;

namespace {

engine::ValidatedPipeline validated(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  return engine::validate(PipelineConfig::parse(yaml, "p.yaml", overrides), toy_registry());
}

const char* kTwoViews = R"(name: two-views
seed: 3
train: {epochs: 3, batch_size: 16, optimizer: {plugin: toy_sgd, lr: 0.5}, log_every_steps: 1}
data: {plugin: toy}
nodes:
  view1: {plugin: toy_noise, input: data.image}
  view2: {plugin: toy_noise, input: data.image, std: 0.1}
  backbone: {plugin: toy_linear, inputs: [view1, view2], dim: 8}
  objective: {plugin: toy_align, inputs: [backbone.0, backbone.1]}
eval:
  - {plugin: toy_mean, every_epochs: 1}
)";

const char* kTeacher = R"(name: teacher
seed: 1
train: {epochs: 2, batch_size: 8, optimizer: {plugin: toy_sgd, lr: 0.2}}
data: {plugin: toy, size: 32}
nodes:
  mask: {plugin: toy_mask, input: data.image}
  student: {plugin: toy_tokens, input: data.image, mask: mask}
  teacher: {ema_of: student, input: data.image, schedule: {plugin: toy_constant, momentum: 0.5}}
  objective: {plugin: toy_masked, student: student, teacher: teacher.blocks, mask: mask}
)";

std::vector<double> losses_with_threads(const engine::ValidatedPipeline& p, int threads) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  return engine::train(p, {}).losses;
}

}  // namespace

TEST_CASE("Engine.run.same_seed_same_losses_at_1_2_4_threads", "[engine]") {
  const engine::ValidatedPipeline p = validated(kTwoViews);
  for (int threads : {1, 2, 4}) {
    INFO("threads " << threads);
    const std::vector<double> first = losses_with_threads(p, threads);
    REQUIRE(first.size() == 12);  // 3 epochs of 64 / 16
    REQUIRE(losses_with_threads(p, threads) == first);
    for (double l : first) REQUIRE(std::isfinite(l));
    REQUIRE(first.back() < first.front());
  }
}

TEST_CASE("Engine.run.teacher_follows_student", "[engine]") {
  const engine::ValidatedPipeline p = validated(kTeacher);
  for (int threads : {1, 2, 4}) {
    INFO("threads " << threads);
    const std::vector<double> first = losses_with_threads(p, threads);
    REQUIRE(first.size() == 8);
    REQUIRE(losses_with_threads(p, threads) == first);
  }
}

TEST_CASE("Engine.run.writes_run_directory", "[engine]") {
  const testing::TempDir temp;
  const std::filesystem::path& dir = temp.path();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  engine::RunOptions options;
  options.run_dir = dir.string();
  const engine::RunResult r = engine::train(validated(kTwoViews), options);
  REQUIRE(std::filesystem::exists(dir / "config.yaml"));
  REQUIRE(std::filesystem::exists(dir / "metrics.jsonl"));
  REQUIRE(std::filesystem::exists(dir / "metrics.csv"));
  REQUIRE(std::filesystem::exists(dir / "model.safetensors"));
  bool has_eval = false;
  for (const auto& [k, v] : r.final_metrics) has_eval = has_eval || k == "toy_mean.test_feature_mean";
  REQUIRE(has_eval);
  std::filesystem::remove_all(dir);
}

TEST_CASE("Engine.run.records_peak_memory", "[engine]") {
  const testing::TempDir temp;
  const std::filesystem::path& dir = temp.path();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  engine::RunOptions options;
  options.run_dir = dir.string();
  engine::RunSummary run;
  run.name = "two-views";
  run.result = engine::train(validated(kTwoViews), options);
  run.ok = true;
  REQUIRE(run.result.peak_rss_mib > 1.0);
  std::ifstream jsonl(dir / "metrics.jsonl");
  std::string last;
  for (std::string line; std::getline(jsonl, line);)
    if (!line.empty()) last = line;
  const nlohmann::json row = nlohmann::json::parse(last);  // the run's closing row
  REQUIRE(row.contains("peak_rss_mib"));
  CHECK(row["step"].get<double>() == 12.0);
  CHECK(row["peak_rss_mib"].get<double>() == run.result.peak_rss_mib);
  const std::string peak = " | " + std::to_string(std::lround(run.result.peak_rss_mib)) + " MiB | ";
  REQUIRE_THAT(engine::summary_table({run}), Catch::StartsWith("| pipeline |") && Catch::Contains(peak));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Engine.run.frozen_node_loaded_from_a_checkpoint", "[engine]") {
  const testing::TempDir temp;
  const std::filesystem::path& dir = temp.path();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  engine::RunOptions options;
  options.run_dir = dir.string();
  engine::train(validated(kTwoViews), options);
  const std::string checkpoint = (dir / "model.safetensors").string();

  const engine::ValidatedPipeline p = validated(
      kTwoViews, {"+nodes.backbone.frozen=true", "+nodes.backbone.load={path: " + checkpoint + ", prefix: backbone.}"});
  REQUIRE(p.graph->node("backbone").frozen);
  const engine::RunResult r = engine::train(p, {});
  REQUIRE(r.losses.back() < r.losses.front());  // the head still learns
  NamedTensors saved = io::read_safetensors(checkpoint).tensors;
  const auto dir2 = dir / "second";
  std::filesystem::create_directories(dir2);
  options.run_dir = dir2.string();
  engine::train(p, options);
  NamedTensors after = io::read_safetensors((dir2 / "model.safetensors").string()).tensors;
  size_t compared = 0;
  for (const auto& [name, t] : saved)
    for (const auto& [name2, t2] : after)
      if (name == name2 && name.starts_with("backbone.")) {
        REQUIRE(std::equal(t.values().begin(), t.values().end(), t2.values().begin()));
        ++compared;
      }
  REQUIRE(compared == 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("Engine.run.resume_after_interrupt_is_bit_exact", "[engine]") {
  const testing::TempDir temp;
  const std::filesystem::path& dir = temp.path();
  for (int threads : {1, 2}) {
    INFO("threads " << threads);
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    for (const char* yaml : {kTwoViews, kTeacher}) {
      const engine::ValidatedPipeline p = validated(yaml, {"+train.checkpoint_every_steps=3"});
      const std::vector<double> straight = engine::train(p, {}).losses;

      std::filesystem::remove_all(dir);
      std::filesystem::create_directories(dir);
      std::atomic<bool> stop{false};
      engine::RunOptions options;
      options.run_dir = dir.string();
      options.stop = &stop;
      options.on_step = [&](int64_t done) { stop = done == 5; };  // between two scheduled checkpoints
      std::vector<double> interrupted;
      REQUIRE_THROWS_AS(interrupted = engine::train(p, options).losses, engine::Interrupted);
      REQUIRE(std::filesystem::exists(dir / "checkpoints" / "step-000000005" / "COMPLETE"));
      const size_t per_epoch = straight.size() / (yaml == kTwoViews ? 3 : 2);
      if (per_epoch == 4) {  // checkpoints after steps 3, 4 (an epoch) and 5; the newest two are kept
        REQUIRE(std::filesystem::exists(dir / "checkpoints" / "step-000000004" / "COMPLETE"));
        REQUIRE_FALSE(std::filesystem::exists(dir / "checkpoints" / "step-000000003"));
      }

      stop = false;
      options.resume = true;
      const std::vector<double> rest = engine::train(p, options).losses;
      REQUIRE(rest.size() == straight.size() - 5);
      for (size_t i = 0; i < rest.size(); ++i) REQUIRE(rest[i] == straight[5 + i]);
    }
  }
  std::filesystem::remove_all(dir);
}

namespace {

// A run directory of its own, and the process's stop request cleared whatever happens.
struct StopTest {
  explicit StopTest(const std::string& name)
      : dir(std::filesystem::temp_directory_path() / ("sslflow_engine_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    options.run_dir = dir.string();
    options.stop = &stop_request();
    testing::reset_toy_evaluator_calls();
  }
  ~StopTest() {
    stop_request() = false;
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  engine::RunOptions options;
};

double metric(const Metrics& metrics, const std::string& name) {
  for (const auto& [k, v] : metrics)
    if (k == name) return v;
  FAIL("no metric " << name);
  return 0.0;
}

}  // namespace

TEST_CASE("Engine.run.a_stop_inside_an_evaluation_checkpoints_the_step_and_resumes", "[engine]") {
  const engine::RunResult straight = engine::train(validated(kTwoViews), {});  // 3 epochs of 4 steps
  StopTest test("stop_in_eval");
  const engine::ValidatedPipeline p = validated(kTwoViews, {"+eval.0.stop_on_call=2"});
  REQUIRE_THROWS_WITH(engine::train(p, test.options), Catch::Contains("interrupted after step 8"));
  REQUIRE(std::filesystem::exists(test.dir / "checkpoints" / "step-000000008" / "COMPLETE"));
  stop_request() = false;
  test.options.resume = true;
  const engine::RunResult rest = engine::train(p, test.options);
  REQUIRE(rest.losses.size() == 4);
  for (size_t i = 0; i < rest.losses.size(); ++i) REQUIRE(rest.losses[i] == straight.losses[8 + i]);
  CHECK(metric(rest.final_metrics, "toy_mean.test_feature_mean") ==
        metric(straight.final_metrics, "toy_mean.test_feature_mean"));
  // The evaluation the stop cut short ran on resume: one row per epoch, as without the stop.
  std::ifstream metrics(test.dir / "metrics.jsonl");
  std::vector<double> evaluated_epochs;
  for (std::string row; std::getline(metrics, row);)
    if (const auto json = nlohmann::json::parse(row); json.contains("toy_mean.test_feature_mean"))
      evaluated_epochs.push_back(json.at("epoch").get<double>());
  CHECK(evaluated_epochs == std::vector<double>{1, 2, 3});
}

TEST_CASE("Engine.run.a_stop_inside_the_last_evaluation_resumes_at_the_end_and_evaluates", "[engine]") {
  const engine::RunResult straight = engine::train(validated(kTwoViews), {});
  StopTest test("stop_in_last_eval");
  const engine::ValidatedPipeline p = validated(kTwoViews, {"+eval.0.stop_on_call=3"});
  REQUIRE_THROWS_WITH(engine::train(p, test.options), Catch::Contains("interrupted after step 12"));
  stop_request() = false;
  test.options.resume = true;
  const engine::RunResult rest = engine::train(p, test.options);
  CHECK(rest.losses.empty());
  CHECK(metric(rest.final_metrics, "toy_mean.test_feature_mean") ==
        metric(straight.final_metrics, "toy_mean.test_feature_mean"));
  CHECK(std::filesystem::exists(test.dir / "model.safetensors"));
}

TEST_CASE("Engine.run.a_stop_before_the_first_step_leaves_a_run_that_resumes_from_the_start", "[engine]") {
  const engine::RunResult straight = engine::train(validated(kTwoViews), {});
  for (const char* stopping : {"+data.stop_in_open=true", "+eval.0.baselines=true"}) {
    INFO(stopping);
    StopTest test("stop_before_training");
    std::vector<std::string> overrides{stopping};
    if (std::string(stopping).find("baselines") != std::string::npos) overrides.push_back("+eval.0.stop_on_call=1");
    REQUIRE_THROWS_WITH(engine::train(validated(kTwoViews, overrides), test.options),
                        Catch::Contains("interrupted before training began; continue with: sslflow run --resume"));
    CHECK_FALSE(std::filesystem::exists(test.dir / "checkpoints"));
    stop_request() = false;
    test.options.resume = true;
    CHECK(engine::train(validated(kTwoViews), test.options).losses == straight.losses);
  }
}

TEST_CASE("Engine.run.failing_node_is_named", "[engine]") {
  const engine::ValidatedPipeline p = validated(kTwoViews, {"nodes.objective.plugin=toy_fail"});
  for (int threads : {1, 2, 4}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    REQUIRE_THROWS_WITH(engine::train(p, {}), Catch::Contains("node 'objective' (method/toy_fail) at step 2") &&
                                                  Catch::Contains("toy failure on purpose"));
  }
}

TEST_CASE("Engine.run.a_plugin_failing_outside_a_step_is_named_with_its_position", "[engine]") {
  std::string yaml = kTwoViews;
  yaml.replace(yaml.find("toy_align"), 9, "toy_fail");
  const std::string objective = "p.yaml:9:14: node 'objective' (method/toy_fail)";  // where its body starts
  auto fails_with = [&](const std::string& during, const std::string& what, const std::string& message) {
    const engine::ValidatedPipeline p =
        validated(yaml, {"+nodes.objective.during=" + during, "+nodes.objective.what=" + what});
    REQUIRE_THROWS_WITH(engine::train(p, {}), Catch::StartsWith(objective) && Catch::Contains(message));
  };
  fails_with("construction", "runtime_error", ": toy failure on purpose");
  fails_with("setup", "runtime_error", ", in setup: toy failure on purpose");
  fails_with("setup", "int", ", in setup: threw something that is not a std::exception");
  fails_with("construction", "bad_alloc", ": an allocation failed");
  fails_with("step", "int", " at step 2: threw something that is not a std::exception");
}

TEST_CASE("Engine.run.a_loss_that_breaks_the_method_contract_is_named", "[engine]") {
  auto fails_with = [](const std::string& loss, const std::string& message) {
    const engine::ValidatedPipeline p = validated(
        kTwoViews, {"nodes.objective.plugin=toy_fail", "+nodes.objective.during=never", "+nodes.objective.loss=" + loss});
    REQUIRE_THROWS_WITH(engine::train(p, {}), Catch::Contains("node 'objective' (method/toy_fail) at step 0: " + message));
  };
  fails_with("per_sample", "the loss must be a scalar (shape []), got shape [16]");
  fails_with("constant", "the loss depends on no trainable parameter");
}

TEST_CASE("Engine.run.debug_nonfinite_names_the_first_node", "[engine]") {
  const engine::ValidatedPipeline p = validated(kTwoViews, {"+nodes.backbone.nan_at_step=2"});
  REQUIRE_THROWS_WITH(engine::train(p, {}),
                      Catch::Contains("node 'objective' (method/toy_align) at step 2: the loss is not finite") &&
                          Catch::Contains("run with --debug-nonfinite"));
  engine::RunOptions options;
  options.debug_nonfinite = true;
  for (int threads : {1, 2, 4}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    REQUIRE_THROWS_WITH(engine::train(p, options),
                        Catch::Contains("node 'backbone' (encoder/toy_linear) at step 2 produced a non-finite value") &&
                            Catch::Contains("output 'out' is not finite (nan at index 0)"));
  }
}

TEST_CASE("Engine.run.debug_nonfinite_names_the_op_of_the_first_nonfinite_gradient", "[engine]") {
  const engine::ValidatedPipeline p = validated(kTwoViews, {"+nodes.backbone.nan_grad_at_step=1"});
  REQUIRE_THROWS_WITH(engine::train(p, {}), Catch::Contains("step 1: the gradient of 'backbone.") &&
                                                Catch::Contains("run with --debug-nonfinite to name the op and node"));
  engine::RunOptions options;
  options.debug_nonfinite = true;
  for (int threads : {1, 2, 4}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    REQUIRE_THROWS_WITH(engine::train(p, options),
                        Catch::StartsWith("step 1: the backward of op 'sqrt' in ") &&
                            Catch::Contains("node 'backbone' (encoder/toy_linear) (application ") &&
                            Catch::Contains("made a non-finite gradient for its input 0 of shape [16, 8] (inf at index 0)"));
  }
}

TEST_CASE("Engine.validate.a_plain_override_sets_a_default_or_is_refused_naming_itself", "[engine]") {
  REQUIRE(validated(kTwoViews, {"train.max_steps=2"}).train.max_steps == 2);
  REQUIRE(validated(kTwoViews, {"nodes.backbone.nan_at_step=1"}).graph->node("backbone").plugin.params.get<int64_t>("nan_at_step") == 1);
  REQUIRE_THROWS_WITH(validated(kTwoViews, {"train.max_stpes=2"}),
                      Catch::StartsWith("override 'train.max_stpes=2': ") &&
                          Catch::Contains("unknown option 'max_stpes', did you mean 'max_steps'?"));
  REQUIRE_THROWS_WITH(validated(kTwoViews, {"nodes.backbone.dimm=3"}),
                      Catch::StartsWith("override 'nodes.backbone.dimm=3': ") &&
                          Catch::Contains("unknown option 'dimm', did you mean 'dim'?"));
}

TEST_CASE("Engine.validate.the_resolved_config_fills_in_defaults_and_reads_back_unchanged", "[engine]") {
  const engine::ValidatedPipeline p = validated(kTwoViews);
  const std::string& yaml = p.resolved_yaml;
  INFO(yaml);
  REQUIRE_THAT(yaml, Catch::StartsWith("# pipeline two-views, resolved by sslflow from p.yaml\n# sslflow "));
  REQUIRE_THAT(yaml, Catch::Contains("# plugin encoder/toy_linear: built in\n"));
  for (const char* filled : {"lr_schedule: cosine", "max_steps: 0", "keep_checkpoints: 2", "nan_grad_at_step: -1",
                             "frozen: false", "every_epochs: 1", "baselines: false", "at_end: true"})
    REQUIRE_THAT(yaml, Catch::Contains(filled));
  const engine::ValidatedPipeline again = validated(yaml);
  REQUIRE(again.resolved_yaml.substr(again.resolved_yaml.find("\nname:")) == yaml.substr(yaml.find("\nname:")));
}

TEST_CASE("Engine.run.debug_nonfinite_passes_a_finite_run", "[engine]") {
  const engine::ValidatedPipeline p = validated(kTwoViews);
  engine::RunOptions options;
  options.debug_nonfinite = true;
  REQUIRE(engine::train(p, options).losses == engine::train(p, {}).losses);
}

TEST_CASE("Engine.batch.one_failure_does_not_stop_the_others", "[engine]") {
  const testing::TempDir temp;
  const std::filesystem::path& root = temp.path();
  std::filesystem::remove_all(root);
  std::vector<engine::ValidatedPipeline> pipelines{validated(kTwoViews, {"name=good"}),
                                                   validated(kTwoViews, {"name=bad", "nodes.objective.plugin=toy_fail"}),
                                                   validated(kTeacher)};
  engine::BatchOptions options;
  options.jobs = 2;
  options.out_dir = root.string();
  const auto runs = engine::run_batch(pipelines, options);
  REQUIRE(runs.size() == 3);
  REQUIRE(runs[0].ok);
  REQUIRE_FALSE(runs[1].ok);
  REQUIRE_THAT(runs[1].error, Catch::Contains("toy failure on purpose"));
  REQUIRE(runs[2].ok);
  REQUIRE(std::filesystem::exists(root / "good" / "model.safetensors"));
  const std::string table = engine::summary_table(runs);
  REQUIRE_THAT(table, Catch::Contains("| bad | FAILED"));
  REQUIRE_THAT(table, Catch::Contains("| good | ok"));
  std::filesystem::remove_all(root);
}
