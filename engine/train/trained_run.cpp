#include "train/trained_run.hpp"

#include <filesystem>

#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/npy.hpp"
#include "sslflow/io/safetensors.hpp"
#include "train/features.hpp"

namespace sslflow::engine {

namespace {

std::string run_file(const std::string& run_dir, const std::string& name) {
  const std::string path = (std::filesystem::path(run_dir) / name).string();
  if (!std::filesystem::is_regular_file(path))
    throw Error(path + ": no such file; " + run_dir + " is not a finished run directory");
  return path;
}

}  // namespace

TrainedRun load_trained_run(const std::string& run_dir, const Registry& registry,
                            const std::vector<std::string>& overrides) {
  const std::string config = run_file(run_dir, "config.yaml");
  const std::string model = run_file(run_dir, "model.safetensors");
  TrainedRun trained;
  trained.pipeline = std::make_unique<ValidatedPipeline>(validate(PipelineConfig::load(config, overrides), registry));
  trained.run = std::make_unique<TrainingRun>(*trained.pipeline);
  trained.run->nodes().load_state_dict(io::read_safetensors(model).tensors);
  return trained;
}

Metrics evaluate_trained_run(TrainedRun& trained) { return trained.run->evaluations().all(); }

Shape write_embedding(TrainedRun& run, const std::string& node, Split split, const std::string& out) {
  Tensor features;  // (N, D)
  std::vector<int64_t> labels;  // (N)
  extract_features(run.run->nodes().encoder(node), run.run->data(), split, 0, kFeatureBatch, &features, &labels);
  io::write_npy(out, features);
  io::write_npy(embedding_labels_path(out), labels);
  return features.shape();
}

std::string embedding_labels_path(const std::string& out) {
  const std::string stem = out.ends_with(".npy") ? out.substr(0, out.size() - 4) : out;
  return stem + ".labels.npy";
}

}  // namespace sslflow::engine
