// TrainingRun: a validated pipeline made live: its dataset opened, its nodes built and set
// up, the optimizer over their trainable parameters, the batch loader, the step executor,
// the evaluations and the step schedule. `sslflow run` trains one (trainer.hpp); `eval`
// and `embed` build one the same way from a finished run's directory and load its final
// weights (trained_run.hpp).
//
// step() is one training step: every node's begin_step(), the forward graph, backward
// from the sum of the methods' losses, gradient clipping, the optimizer step at the
// scheduled learning rate, then every node's end_step() (a teacher's EMA update among
// them). A non-finite loss or gradient throws naming the step (and the parameter); with
// debug_nonfinite, a non-finite output of any node or gradient of any op throws naming the
// node where it first appears (StepExecutor).
//
// Threading: one thread drives a TrainingRun; load_batch() may run in a background task
// while step() computes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exec/batch_loader.hpp"
#include "exec/nodes.hpp"
#include "exec/step_executor.hpp"
#include "graph/validated_pipeline.hpp"
#include "sslflow/interfaces/dataset.hpp"
#include "sslflow/interfaces/optimizer.hpp"
#include "train/evaluations.hpp"
#include "train/lr_schedule.hpp"
#include "train/step_schedule.hpp"

namespace sslflow::engine {

struct StepResult {
  double loss = 0.0;       // the sum of the methods' losses
  double grad_norm = 0.0;  // before clipping
  double lr = 0.0;
  Metrics metrics;  // the methods' ("<node>.<metric>", "<node>.loss") and the teachers' momentum
};

class TrainingRun {
 public:
  // Runs one phase of building the run (opening the data, setting the nodes up), described
  // for a progress display: the trainer's stopping points before training. The default
  // runs it as it is.
  using Phase = std::function<void(const std::string& what, const std::function<void()>&)>;

  // `pipeline` must outlive the run.
  explicit TrainingRun(const ValidatedPipeline& pipeline, bool debug_nonfinite = false, const Phase& phase = {});

  const ValidatedPipeline& pipeline() const { return pipeline_; }
  const Dataset& data() const { return *data_; }
  LiveNodes& nodes() { return *nodes_; }
  Optimizer& optimizer() { return *optimizer_; }
  Evaluations& evaluations() { return *evaluations_; }
  const StepSchedule& schedule() const { return *schedule_; }

  // The batch of global step `step`.
  Batch load_batch(int64_t step) const;
  // One training step on `batch`, global step `step`.
  StepResult step(const Batch& batch, int64_t step);

 private:
  const ValidatedPipeline& pipeline_;
  bool debug_nonfinite_;
  std::shared_ptr<Dataset> data_;
  std::unique_ptr<LiveNodes> nodes_;
  std::vector<std::pair<std::string, Var>> parameters_;  // the trainable ones
  std::shared_ptr<Optimizer> optimizer_;
  std::unique_ptr<BatchLoader> loader_;
  std::unique_ptr<StepSchedule> schedule_;
  LrSchedule lr_;
  std::unique_ptr<StepExecutor> executor_;
  std::unique_ptr<Evaluations> evaluations_;
};

}  // namespace sslflow::engine
