// The evaluations of a run: each `eval:` entry's evaluator on the frozen features of its
// encoder node, when its schedule says. Features are extracted once per (node, sample
// limits) and shared by the evaluators that read them. With `baselines: true`, an entry
// is also run before training on the raw pixels and on the untrained encoder, so a user
// sees what training added. With a Progress, each phase (encoding a split, running an
// evaluator) is shown as it begins, with the samples encoded so far.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/nodes.hpp"
#include "graph/validated_pipeline.hpp"
#include "sslflow/interfaces/dataset.hpp"
#include "sslflow/interfaces/evaluator.hpp"
#include "train/progress.hpp"

namespace sslflow::engine {

class Evaluations {
 public:
  Evaluations(const ValidatedPipeline& pipeline, LiveNodes& nodes, const Dataset& data);
  void show_progress(Progress* progress) { progress_ = progress; }

  // The entries due after `epoch` (0-based; at_end ones when `final`): "<plugin>.<metric>".
  Metrics after_epoch(int64_t epoch, bool final);
  // Every entry, whatever its schedule: "<plugin>.<metric>".
  Metrics all();
  // Before the first step: "<plugin>.raw_pixels.<metric>" and "<plugin>.untrained.<metric>".
  Metrics baselines();

 private:
  struct Cached {
    std::string key;
    FeatureSplits features;
  };
  const FeatureSplits& features_of(const EvalSpec& e);
  const FeatureSplits& pixels_of(const EvalSpec& e);
  // Evaluator k on `features` (of `what`: "the raw pixels", "the untrained encoder"), its errors naming it.
  Metrics evaluate(size_t k, const FeatureSplits& features, const std::string& what);
  Metrics evaluate_if(const std::function<bool(const EvalSpec&)>& due);

  const ValidatedPipeline& pipeline_;
  LiveNodes& nodes_;
  const Dataset& data_;
  std::vector<std::shared_ptr<Evaluator>> evaluators_;
  std::optional<Cached> cached_;
  Progress* progress_ = nullptr;
};

// The learned representation next to the baselines, from a run's final metrics: one row
// per representation (raw pixels, untrained encoder, trained encoder), one column per
// evaluator's top-1 accuracy; empty when the run had no baselines.
std::string representation_table(const Metrics& final_metrics);

}  // namespace sslflow::engine
