#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "builtin_registry.hpp"
#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/io/safetensors.hpp"
#include "sslflow/ops.hpp"
#include "sslflow/random.hpp"
#include "train/trainer.hpp"

using namespace sslflow;

namespace {

const NodeSetup kSetup{"probe", 7};

std::shared_ptr<Method> make_probe(int64_t features, int64_t classes) {
  auto probe = testing::make_builtin<Method>("online_probe", Value(Value::Map{{"classes", classes}}));
  probe->setup({{"input", {Shape{features}}}, {"label", {Shape{}}}}, kSetup);
  return probe;
}

MethodInputs probe_inputs(const Var& features, const Tensor& labels) {
  MethodInputs inputs;
  inputs.add("input", Packet{{features}});
  inputs.add("label", Packet{{Var(labels)}});
  return inputs;
}

double metric(const Metrics& metrics, const std::string& name) {
  for (const auto& [key, value] : metrics)
    if (key == name) return value;
  FAIL("no metric " << name);
  return 0.0;
}

// A batch of `rows` points of `classes` Gaussian blobs in `dim` dimensions: class c is
// centred on 3 e_c, with unit noise. Features (rows, dim), labels (rows).
std::pair<Var, Tensor> blobs(int64_t rows, int64_t dim, int64_t classes, Rng& rng) {
  Tensor x(Shape{rows, dim});
  Tensor y(Shape{rows});
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t c = r % classes;
    y.data()[r] = static_cast<float>(c);
    for (int64_t d = 0; d < dim; ++d) x.data()[r * dim + d] = rng.normal() + (d == c ? 3.0f : 0.0f);
  }
  return {Var(x), y};
}

}  // namespace

TEST_CASE("Probe.gradient.never_reaches_the_features", "[plugin][grad]") {
  auto probe = make_probe(5, 3);
  Rng rng(1, "test.probe");
  auto [x, y] = blobs(12, 5, 3, rng);
  Var features(x.value(), /*requires_grad=*/true);
  const StepOutput out = probe->forward(probe_inputs(features, y));
  out.loss.backward();
  REQUIRE_FALSE(features.grad().defined());
  bool classifier_learns = false;
  for (const auto& [name, p] : probe->named_parameters())
    if (p.grad().defined())
      for (float g : p.grad().values()) classifier_learns = classifier_learns || g != 0.0f;
  REQUIRE(classifier_learns);
}

TEST_CASE("Probe.labels.outside_the_classes_are_refused", "[plugin]") {
  auto probe = make_probe(4, 3);
  Rng rng(2, "test.probe");
  auto [x, y] = blobs(6, 4, 3, rng);
  y.data()[1] = 3.0f;
  REQUIRE_THROWS_WITH(probe->forward(probe_inputs(x, y)), Catch::Contains("label 3 is not a class id in [0, 3)"));
}

TEST_CASE("Probe.train.learns_separable_data", "[plugin]") {
  auto probe = make_probe(8, 4);
  const auto params = probe->named_parameters();
  Rng rng(3, "test.probe");
  double first = 0.0, last = 0.0;
  for (int step = 0; step < 300; ++step) {
    auto [x, y] = blobs(32, 8, 4, rng);
    for (const auto& [_, p] : params) p.zero_grad();
    const StepOutput out = probe->forward(probe_inputs(x, y));
    out.loss.backward();
    for (auto [_, p] : params) {  // a Var is a handle: the copy updates the probe's parameter
      const Tensor g = p.grad();
      for (int64_t i = 0; i < g.numel(); ++i) p.value().data()[i] -= 0.1f * g.data()[i];
    }
    (step == 0 ? first : last) = metric(out.metrics, "top1");
  }
  INFO("top1 at the first step " << first << ", at the last " << last);
  REQUIRE(last > 0.9);
  REQUIRE(last > first);
}

namespace {

// SimSiam on generated blobs through an MLP encoder, with the probe on the first view's
// features when `with_probe`.
std::string train_run(bool with_probe) {
  std::string yaml = R"(name: probe-synthetic
seed: 4
train: {epochs: 3, batch_size: 32, optimizer: {plugin: sgd, lr: 0.05, momentum: 0.9, weight_decay: 5.0e-4},
        lr_schedule: cosine, log_every_steps: 1}
data: {plugin: synthetic, train_size: 128, test_size: 0, image_size: 8, num_classes: 4}
nodes:
  view1: {plugin: augment, input: data.image, crop: [0.5, 1.0], jitter: 0.4}
  view2: {plugin: augment, input: data.image, crop: [0.5, 1.0], jitter: 0.4}
  backbone: {plugin: mlp, inputs: [view1, view2], hidden: [32], out_dim: 16}
  objective: {plugin: simsiam, inputs: [backbone.0, backbone.1], proj_layers: 2, proj_hidden: 16, proj_dim: 16, pred_dim: 8}
)";
  if (with_probe) yaml += "  probe: {plugin: online_probe, input: backbone.0, label: data.label, classes: 4}\n";
  return yaml;
}

struct ProbeRun {
  std::vector<double> objective_losses;  // per step
  std::vector<double> probe_top1;        // per step
  NamedTensors model;
};

ProbeRun run_pipeline(bool with_probe) {
  const std::string dir = std::string(SSLFLOW_BINARY_DIR) + "/probe_runs/" + (with_probe ? "with" : "without");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const engine::ValidatedPipeline pipeline =
      engine::validate(PipelineConfig::parse(train_run(with_probe), "probe.yaml"), testing::builtin_registry());
  engine::RunOptions options;
  options.run_dir = dir;
  engine::train(pipeline, options);
  ProbeRun run;
  std::ifstream jsonl(dir + "/metrics.jsonl");
  for (std::string line; std::getline(jsonl, line);) {
    const nlohmann::json row = nlohmann::json::parse(line);
    if (row.contains("objective.loss")) run.objective_losses.push_back(row["objective.loss"].get<double>());
    if (row.contains("probe.top1")) run.probe_top1.push_back(row["probe.top1"].get<double>());
  }
  run.model = io::read_safetensors(dir + "/model.safetensors").tensors;
  std::filesystem::remove_all(dir);
  return run;
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), sizeof(float) * a.numel()) == 0;
}

}  // namespace

TEST_CASE("Probe.train.leaves_the_encoder_training_unchanged", "[plugin][engine]") {
  const ProbeRun without = run_pipeline(false);
  const ProbeRun with = run_pipeline(true);
  REQUIRE(without.objective_losses.size() == 12);  // 3 epochs of 128 / 32
  REQUIRE(without.probe_top1.empty());
  REQUIRE(with.probe_top1.size() == 12);
  for (double top1 : with.probe_top1) REQUIRE((top1 >= 0.0 && top1 <= 1.0));
  REQUIRE(with.objective_losses == without.objective_losses);

  std::map<std::string, Tensor> with_model(with.model.begin(), with.model.end());
  REQUIRE(with_model.count("probe.classifier.weight") == 1);
  REQUIRE(with_model.size() == without.model.size() + 2);
  for (const auto& [name, tensor] : without.model) {
    INFO(name);
    REQUIRE(with_model.count(name) == 1);
    REQUIRE(bitwise_equal(with_model.at(name), tensor));
  }
}
