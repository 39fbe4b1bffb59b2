// Runs several validated pipelines in one process, at most `jobs` at a time, all in
// oneTBB's one worker pool, so together they never use more threads than it has.
// A pipeline that fails is reported and does not stop the others.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "graph/validated_pipeline.hpp"
#include "train/trainer.hpp"

namespace sslflow::engine {

struct BatchOptions {
  int jobs = 1;
  std::string out_root = "runs";  // each run writes <out_root>/<name>/<timestamp>/
  std::string out_dir;            // instead, a single run writes exactly here (batches: <out_dir>/<name>)
  std::ostream* log = nullptr;
  bool progress_bar = false;      // only used when one pipeline runs at a time
  bool resume = false;            // continue each run in out_dir from its newest checkpoint
  bool debug_nonfinite = false;   // see RunOptions::debug_nonfinite
  std::string command_line;       // see RunOptions::command_line
  const std::atomic<bool>* stop = nullptr;  // see RunOptions::stop
};

struct RunSummary {
  std::string name;
  bool ok = false;
  bool interrupted = false;  // stopped on request, with a checkpoint to resume from
  std::string error;
  RunResult result;
};

std::vector<RunSummary> run_batch(const std::vector<ValidatedPipeline>& pipelines, const BatchOptions& options);

// The batch's closing table: pipeline, status, final metrics, time, peak resident memory
// (of the process when the run ended), run directory.
std::string summary_table(const std::vector<RunSummary>& runs);

}  // namespace sslflow::engine
