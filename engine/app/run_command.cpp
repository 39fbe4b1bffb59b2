// sslflow run FILE... [OVERRIDES] [--jobs N] [--threads N] [--out DIR]: trains pipelines.
// Progress and logs go to stderr; the closing table of results to stdout. The exit
// status is 0 only when every pipeline succeeded.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include <tbb/global_control.h>

#include "app/commands.hpp"
#include "app/pipeline_args.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "train/batch_runner.hpp"

namespace sslflow {

namespace {

struct RunArgs {
  std::vector<std::string> pipeline;
  int jobs = 1;
  int threads = 0;
  std::string out;
};

}  // namespace

void add_run_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("run", "train pipelines; several files (or a sweep) run as one batch");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("pipeline", args->pipeline, "pipeline files and overrides (key=value, +key=value, ~key)")->required();
  cmd->add_option("--jobs,-j", args->jobs, "pipelines to run at once (they share the worker threads)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--threads", args->threads, "worker threads for everything (default: every core)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--out", args->out, "the run directory (default runs/<name>/<timestamp>)");
  cmd->callback([args, &global] {
    std::unique_ptr<tbb::global_control> threads;
    if (args->threads > 0)
      threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, args->threads);
    const LoadedPlugins plugins = load_plugins(global);
    std::vector<engine::ValidatedPipeline> pipelines;
    for (const PipelineConfig& c : load_pipeline_configs(split_pipeline_args(args->pipeline)))
      pipelines.push_back(engine::validate(c, plugins.registry));
    engine::BatchOptions options;
    options.jobs = args->jobs;
    options.out_dir = args->out;
    options.log = &std::cerr;
    options.progress_bar = isatty(STDERR_FILENO) != 0;
    const auto runs = engine::run_batch(pipelines, options);
    std::cout << engine::summary_table(runs);
    const auto failed = std::count_if(runs.begin(), runs.end(), [](const engine::RunSummary& r) { return !r.ok; });
    if (failed > 0) throw Error(std::to_string(failed) + " of " + std::to_string(runs.size()) + " pipelines failed");
  });
}

}  // namespace sslflow
