// ValidatedPipeline: a pipeline whose plugins are resolved, whose options are checked
// against their schemas, whose ports are wired and type-checked, and whose node graph is
// a DAG in a fixed topological order. Nothing in it has read data or allocated a model;
// the executor builds those from it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "graph/pipeline_graph.hpp"

namespace sslflow::engine {

struct TrainSpec {
  int64_t epochs = 1;
  int64_t batch_size = 256;
  SourceMark batch_size_mark;  // where it is written (the train section, or the file, when not)
  PluginSpec optimizer;
  std::string lr_schedule = "cosine";
  double warmup_epochs = 0.0;
  double final_lr_fraction = 0.0;
  double clip_grad_norm = 0.0;  // 0: no clipping
  int64_t max_steps = 0;        // 0: epochs * steps per epoch; else stop early (smoke runs)
  int64_t log_every_steps = 20;
  int64_t checkpoint_every_steps = 0;   // 0: not by steps
  int64_t checkpoint_every_epochs = 1;  // 0: not by epochs
  int64_t keep_checkpoints = 2;
};

struct EvalSpec {
  PluginSpec evaluator;
  std::string node;          // the encoder whose features are evaluated
  int64_t every_epochs = 0;  // 0: not periodically
  bool at_end = true;
  bool baselines = false;  // also before training, on raw pixels and the untrained encoder
  int64_t max_train_samples = 0;  // 0: the whole split
  int64_t max_test_samples = 0;
};

struct ValidatedPipeline {
  std::string name;
  uint64_t seed = 0;
  std::string file;
  std::string resolved_yaml;  // the config after overrides, as written to the run directory
  PluginSpec data;
  TrainSpec train;
  std::vector<EvalSpec> evals;
  std::shared_ptr<const PipelineGraph> graph;
};

}  // namespace sslflow::engine
