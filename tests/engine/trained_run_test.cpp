#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/npy.hpp"
#include "toy_plugins.hpp"
#include "train/features.hpp"
#include "train/trained_run.hpp"
#include "train/trainer.hpp"

using namespace sslflow;
using sslflow::testing::toy_registry;

namespace {

const char* kPipeline = R"(name: trained
seed: 7
train: {epochs: 2, batch_size: 16, optimizer: {plugin: toy_sgd, lr: 0.5}}
data: {plugin: toy}
nodes:
  view1: {plugin: toy_noise, input: data.image}
  view2: {plugin: toy_noise, input: data.image, std: 0.1}
  backbone: {plugin: toy_linear, inputs: [view1, view2], dim: 8}
  objective: {plugin: toy_align, inputs: [backbone.0, backbone.1]}
eval:
  - {plugin: toy_mean, every_epochs: 1}
)";

// A run trained into a fresh temporary directory, removed afterwards.
struct TrainedDir {
  std::filesystem::path dir;
  engine::RunResult result;

  explicit TrainedDir(const std::string& name) : dir(std::filesystem::temp_directory_path() / name) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    engine::RunOptions options;
    options.run_dir = dir.string();
    result = engine::train(engine::validate(PipelineConfig::parse(kPipeline, "p.yaml"), toy_registry()), options);
  }
  ~TrainedDir() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST_CASE("Engine.trained_run.evaluates_as_at_the_end_of_training", "[engine]") {
  const TrainedDir trained("sslflow_trained_run_eval");
  engine::TrainedRun run = engine::load_trained_run(trained.dir.string(), toy_registry());
  const Metrics metrics = engine::evaluate_trained_run(run);
  REQUIRE_FALSE(metrics.empty());
  for (const auto& [name, value] : metrics) {
    INFO(name);
    const auto at_end = std::find_if(trained.result.final_metrics.begin(), trained.result.final_metrics.end(),
                                     [&](const auto& m) { return m.first == name; });
    REQUIRE(at_end != trained.result.final_metrics.end());
    REQUIRE(value == at_end->second);
  }
}

TEST_CASE("Engine.trained_run.overrides_apply_to_the_config", "[engine]") {
  const TrainedDir trained("sslflow_trained_run_overrides");
  engine::TrainedRun run =
      engine::load_trained_run(trained.dir.string(), toy_registry(), {"+eval.1={plugin: toy_mean, at_end: false}"});
  const Metrics metrics = engine::evaluate_trained_run(run);
  REQUIRE(metrics.size() % 2 == 0);  // every entry, whatever its schedule
  const size_t half = metrics.size() / 2;
  REQUIRE(half > 0);
  for (size_t i = 0; i < half; ++i) REQUIRE(metrics[half + i] == metrics[i]);
}

TEST_CASE("Engine.trained_run.embedding_is_the_encoders_features", "[engine]") {
  const TrainedDir trained("sslflow_trained_run_embed");
  const std::string out = (trained.dir / "feats.npy").string();
  for (const auto& [node, split] : {std::pair{std::string(), Split::Test}, std::pair{std::string("backbone"), Split::Train}}) {
    engine::TrainedRun run = engine::load_trained_run(trained.dir.string(), toy_registry());
    const Shape shape = engine::write_embedding(run, node, split, out);
    Tensor expected;  // (N, D)
    std::vector<int64_t> labels;
    engine::extract_features(run.run->nodes().encoder("backbone"), run.run->data(), split, 0, engine::kFeatureBatch, &expected,
                             &labels);
    REQUIRE(shape == expected.shape());
    REQUIRE(shape.rank() == 2);
    REQUIRE(shape[0] == run.run->data().size(split));
    REQUIRE(shape[1] == 8);
    const io::NpyArray features = io::read_npy(out);
    REQUIRE(features.descr == "<f4");
    const Tensor written = features.to_tensor();
    REQUIRE(std::equal(written.values().begin(), written.values().end(), expected.values().begin(),
                       expected.values().end()));
    const io::NpyArray written_labels = io::read_npy((trained.dir / "feats.labels.npy").string());
    REQUIRE(written_labels.descr == "<i8");
    REQUIRE(written_labels.to_int64() == labels);
  }
}

TEST_CASE("Engine.trained_run.data_override_embeds_other_images", "[engine]") {
  const TrainedDir trained("sslflow_trained_run_data");
  engine::TrainedRun run = engine::load_trained_run(trained.dir.string(), toy_registry(), {"data={plugin: toy, size: 32}"});
  const Shape shape = engine::write_embedding(run, "", Split::Train, (trained.dir / "other.npy").string());
  REQUIRE(shape[0] == 32);
}

TEST_CASE("Engine.trained_run.missing_files_are_named", "[engine]") {
  const TrainedDir trained("sslflow_trained_run_missing");
  std::filesystem::remove(trained.dir / "model.safetensors");
  REQUIRE_THROWS_WITH(engine::load_trained_run(trained.dir.string(), toy_registry()),
                      Catch::Contains("model.safetensors: no such file"));
  std::filesystem::remove(trained.dir / "config.yaml");
  REQUIRE_THROWS_WITH(engine::load_trained_run(trained.dir.string(), toy_registry()),
                      Catch::Contains("config.yaml: no such file"));
  REQUIRE(engine::embedding_labels_path("a/feats.npy") == "a/feats.labels.npy");
  REQUIRE(engine::embedding_labels_path("feats") == "feats.labels.npy");
}
