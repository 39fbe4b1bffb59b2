// A finished run rebuilt for use: RUN_DIR/config.yaml (the resolved pipeline, with
// command-line overrides applied) validated against the loaded plugins and made live as
// `sslflow run` makes it (TrainingRun), its nodes then loaded from
// RUN_DIR/model.safetensors. The encoders give the same features as at the end of training.
//
// Threading: one TrainedRun is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "graph/validated_pipeline.hpp"
#include "sslflow/interfaces/dataset.hpp"
#include "sslflow/metrics.hpp"
#include "sslflow/registry.hpp"
#include "train/training_run.hpp"

namespace sslflow::engine {

struct TrainedRun {
  std::unique_ptr<ValidatedPipeline> pipeline;
  std::unique_ptr<TrainingRun> run;  // refers to *pipeline
};

// Throws Error naming the file when RUN_DIR has no config.yaml or no model.safetensors.
TrainedRun load_trained_run(const std::string& run_dir, const Registry& registry,
                            const std::vector<std::string>& overrides = {});

// Every `eval:` entry of the run, whatever its schedule: "<plugin>.<metric>".
Metrics evaluate_trained_run(TrainedRun& run);

// Writes the features (N, D) of encoder `node` (empty: the first encoder that is not a
// teacher) on `split` to `out` as float32 .npy, and the labels (N) as int64 next to it
// (embedding_labels_path). Returns the features' shape.
Shape write_embedding(TrainedRun& run, const std::string& node, Split split, const std::string& out);

// "feats.npy" -> "feats.labels.npy"; a name without .npy gets ".labels.npy" appended.
std::string embedding_labels_path(const std::string& out);

}  // namespace sslflow::engine
