// sslflow eval RUN_DIR [OVERRIDES]: runs every `eval:` entry of a finished run on its
// trained encoders and prints a table of the metrics on stdout. Overrides apply to the
// run's config.yaml as they do for `sslflow run` (eval.0.k=50, +eval.1={plugin: knn}).
#include <cstdio>
#include <iostream>
#include <memory>

#include "app/commands.hpp"
#include "app/pipeline_args.hpp"
#include "sslflow/error.hpp"
#include "train/trained_run.hpp"

namespace sslflow {

namespace {

struct EvalArgs {
  std::string run_dir;
  std::vector<std::string> overrides;
};

std::string metrics_table(const Metrics& metrics) {
  std::string table = "| metric | value |\n|---|---|\n";
  for (const auto& [name, value] : metrics) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", value);
    table += "| " + name + " | " + buf + " |\n";
  }
  return table;
}

}  // namespace

void add_eval_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("eval", "evaluate the trained encoders of a finished run");
  auto args = std::make_shared<EvalArgs>();
  cmd->add_option("run_dir", args->run_dir, "the run directory (config.yaml, model.safetensors)")
      ->type_name("RUN_DIR")
      ->required();
  cmd->add_option("overrides", args->overrides, "overrides of the run's config (key=value, +key=value, ~key)");
  cmd->callback([args, &global] {
    for (const std::string& o : args->overrides)
      if (!is_override(o)) throw Error("'" + o + "' is not an override (key=value, +key=value, ~key)");
    const LoadedPlugins plugins = load_plugins(global);
    engine::TrainedRun run = engine::load_trained_run(args->run_dir, plugins.registry, args->overrides);
    const Metrics metrics = engine::evaluate_trained_run(run);
    if (metrics.empty()) throw Error(args->run_dir + "/config.yaml has no `eval:` entries");
    std::cout << metrics_table(metrics);
  });
}

}  // namespace sslflow
