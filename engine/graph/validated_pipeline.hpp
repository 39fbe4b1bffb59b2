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

// The `train:` section, every field read from train_schema() (validate.hpp), which holds
// the defaults and the meaning of each key.
struct TrainSpec {
  int64_t epochs = 0;
  int64_t batch_size = 0;
  SourceMark batch_size_mark;  // where it is written (the train section, or the file, when not)
  PluginSpec optimizer;
  std::string lr_schedule;
  double warmup_epochs = 0.0;
  double final_lr_fraction = 0.0;
  double clip_grad_norm = 0.0;
  int64_t max_steps = 0;
  int64_t log_every_steps = 0;
  int64_t checkpoint_every_steps = 0;
  int64_t checkpoint_every_epochs = 0;
  int64_t keep_checkpoints = 0;
  Value options;  // the resolved section, defaults included, for the written config
};

// One `eval:` entry: its evaluator and the engine's keys, read from eval_schema().
struct EvalSpec {
  PluginSpec evaluator;
  std::string node;  // the encoder whose features are evaluated
  int64_t every_epochs = 0;
  bool at_end = false;
  bool baselines = false;
  int64_t max_train_samples = 0;
  int64_t max_test_samples = 0;
  Value options;  // the engine's keys, resolved with their defaults, for the written config
};

struct ValidatedPipeline {
  std::string name;
  uint64_t seed = 0;
  std::string file;
  // The config after overrides with every default filled in (resolved_config.hpp), as
  // print-config prints it and a run writes it to its directory.
  std::string resolved_yaml;
  PluginSpec data;
  TrainSpec train;
  std::vector<EvalSpec> evals;
  std::shared_ptr<const PipelineGraph> graph;
};

}  // namespace sslflow::engine
