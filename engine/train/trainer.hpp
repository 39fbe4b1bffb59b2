// Trainer: runs a validated pipeline end to end.
//
// Makes the pipeline live (TrainingRun: the dataset, the nodes, the optimizer), resumes it
// from a checkpoint when asked, evaluates the baselines, then for every step: the loader
// prepares the next batch in a background task while TrainingRun::step() runs the forward
// graph, backward, clipping, the optimizer and every node's end of step (a teacher's EMA);
// metrics are logged, evaluators run and checkpoints are written when the StepSchedule
// says. A non-finite loss or gradient stops the run with an error naming the step (and the
// parameter); with RunOptions::debug_nonfinite, a non-finite output of any node stops it
// with an error naming the first such node (see StepExecutor), and a non-finite gradient
// with one naming the op and node whose backward first made it. The run
// directory receives the resolved config, metrics (JSONL, CSV; the last row holds the peak
// resident memory, peak_rss_mib), checkpoints on schedule (see checkpoint.hpp) and the
// final weights (safetensors, PyTorch names).
//
// Stopping: a stop request (RunOptions::stop, or a plugin's StopRequested, see
// sslflow/stop.hpp) ends the run with Interrupted at the next stopping point: between
// phases before the first step (opening the data, setup, baselines), after a step, or
// inside an evaluation, which is abandoned. After a step a checkpoint is written first;
// before the first one there is nothing to save, and a resume starts from the beginning.
// A run stopped during its last evaluation resumes at its end and evaluates again.
//
// Results are a function of the pipeline, its seed and the thread count.
#pragma once

#include <atomic>
#include <functional>
#include <ostream>
#include <string>

#include "graph/validated_pipeline.hpp"
#include "sslflow/error.hpp"
#include "sslflow/metrics.hpp"

namespace sslflow::engine {

struct RunOptions {
  std::string run_dir;            // where outputs go; empty: write nothing
  std::ostream* log = nullptr;    // progress and messages (stderr); null: silent
  bool progress_bar = false;      // redraw one line (a terminal) instead of periodic lines
  bool resume = false;            // continue from the newest complete checkpoint in run_dir (none: from the start)
  bool debug_nonfinite = false;   // check every node's outputs each step (StepExecutor's check_nonfinite)
  std::string command_line;       // the command that started the run, for config.yaml's header
  // When it becomes true (the signal thread sets it), the run ends at its next stopping
  // point and train() throws Interrupted (see Stopping above).
  const std::atomic<bool>* stop = nullptr;
  // Called after every completed step with the number of steps done.
  std::function<void(int64_t)> on_step;
};

// A run stopped on request, after writing a checkpoint when it had taken a step; resume it
// with RunOptions::resume.
class Interrupted : public Error {
 public:
  Interrupted(const std::string& run_dir, int64_t steps);
};

struct RunResult {
  std::string run_dir;
  Metrics final_metrics;  // the last step's training metrics and every evaluation at the end
  std::vector<double> losses;  // the loss of every step
  double seconds = 0.0;
  double peak_rss_mib = 0.0;  // the process's peak resident memory at the end (peak_memory.hpp)
};

RunResult train(const ValidatedPipeline& pipeline, const RunOptions& options);

}  // namespace sslflow::engine
