// sslflow run FILE... [OVERRIDES] [--jobs N] [--threads N] [--out DIR]: trains pipelines.
// sslflow run --resume RUN_DIR: continues a run from its newest checkpoint.
// --debug-nonfinite names the first node whose outputs hold NaN or infinity, and the op and
// node whose backward first makes a gradient that does.
// --summary DIR writes the comparison of the runs (run_comparison.hpp) to DIR/summary.md and
// DIR/summary.csv; a batch of several pipelines writes it to its --out directory unless
// --summary says otherwise, and prints it after the closing table.
// Progress and logs go to stderr; the closing table of results to stdout. The exit
// status is 0 only when every pipeline succeeded; SIGINT, SIGTERM or SIGHUP finish the
// current step, write a checkpoint and exit with kExitInterrupted (signals.hpp).
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include <tbb/global_control.h>

#include "app/commands.hpp"
#include "app/pipeline_args.hpp"
#include "app/signals.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "train/batch_runner.hpp"
#include "train/evaluations.hpp"
#include "train/run_comparison.hpp"

namespace sslflow {

namespace {

struct RunArgs {
  std::vector<std::string> pipeline;
  int jobs = 1;
  int threads = 0;
  std::string out;
  std::string resume;
  std::string summary;
  bool debug_nonfinite = false;
};

// Pipelines to run: the files and overrides given, or the resolved config of a run to resume.
std::vector<engine::ValidatedPipeline> pipelines_to_run(const RunArgs& args, const Registry& registry) {
  std::vector<engine::ValidatedPipeline> out;
  if (!args.resume.empty()) {
    if (!args.pipeline.empty()) throw Error("--resume takes the run directory alone, without pipeline files");
    out.push_back(engine::validate(PipelineConfig::load(args.resume + "/config.yaml"), registry));
    return out;
  }
  if (args.pipeline.empty()) throw Error("no pipeline file given (or --resume RUN_DIR)");
  for (const PipelineConfig& c : load_pipeline_configs(split_pipeline_args(args.pipeline)))
    out.push_back(engine::validate(c, registry));
  return out;
}

// Prints the runs' comparison, and writes it where --summary (or a batch's --out) says.
void report_comparison(const RunArgs& args, const std::vector<engine::ValidatedPipeline>& pipelines,
                       const std::vector<engine::RunSummary>& runs) {
  const bool batch = runs.size() > 1;
  const std::string dir = !args.summary.empty() ? args.summary : batch ? args.out : "";
  if (!batch && dir.empty()) return;
  const std::vector<engine::RunComparison> rows = engine::compare_runs(pipelines, runs);
  std::cout << "\ncomparison of the runs, by linear-probe accuracy\n" << engine::comparison_markdown(rows);
  if (dir.empty()) return;
  engine::write_comparison(dir, rows);
  std::cout << "written to " << dir << "/summary.md and " << dir << "/summary.csv\n";
}

}  // namespace

void add_run_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("run", "train pipelines; several files (or a sweep) run as one batch");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("pipeline", args->pipeline, "pipeline files and overrides (key=value, +key=value, ~key)");
  cmd->add_option("--jobs,-j", args->jobs, "pipelines to run at once (they share the worker threads)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--threads", args->threads, "worker threads for everything (default: every core)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--out", args->out, "the run directory (default runs/<name>/<timestamp>)");
  cmd->add_option("--resume", args->resume, "continue the run in this directory from its newest checkpoint")
      ->type_name("RUN_DIR");
  cmd->add_option("--summary", args->summary,
                  "write the runs' comparison (method, encoder, budget, kNN, linear probe, time, memory, sorted "
                  "by accuracy) to DIR/summary.md and DIR/summary.csv (a batch: --out by default)")
      ->type_name("DIR");
  cmd->add_flag("--debug-nonfinite", args->debug_nonfinite,
                "check every node's outputs and every gradient each step and name the first node, or the op "
                "and node in backward, that produces NaN or infinity (costs a pass over each)");
  cmd->callback([args, &global] {
    std::unique_ptr<tbb::global_control> threads;
    if (args->threads > 0)
      threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, args->threads);
    const LoadedPlugins plugins = load_plugins(global);
    const std::vector<engine::ValidatedPipeline> pipelines = pipelines_to_run(*args, plugins.registry);
    engine::BatchOptions options;
    options.jobs = args->jobs;
    options.out_dir = args->resume.empty() ? args->out : args->resume;
    options.resume = !args->resume.empty();
    options.debug_nonfinite = args->debug_nonfinite;
    options.command_line = global.command_line;
    options.log = &std::cerr;
    options.progress_bar = isatty(STDERR_FILENO) != 0;
    const auto runs = [&] {
      const StopOnSignal stop;
      options.stop = &stop.requested();
      return engine::run_batch(pipelines, options);
    }();
    std::cout << engine::summary_table(runs);
    for (const engine::RunSummary& r : runs)
      if (const std::string table = engine::representation_table(r.result.final_metrics); !table.empty())
        std::cout << "\n" << r.name << ": test accuracy of the representation\n" << table;
    report_comparison(*args, pipelines, runs);
    const auto failed = std::count_if(runs.begin(), runs.end(), [](const engine::RunSummary& r) { return !r.ok; });
    const auto interrupted =
        std::count_if(runs.begin(), runs.end(), [](const engine::RunSummary& r) { return r.interrupted; });
    if (interrupted > 0)
      throw CommandExit{kExitInterrupted, "interrupted; continue with: sslflow run --resume " +
                                              runs.front().result.run_dir};
    if (failed > 0) throw Error(std::to_string(failed) + " of " + std::to_string(runs.size()) + " pipelines failed");
  });
}

}  // namespace sslflow
