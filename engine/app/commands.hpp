// The sslflow command's subcommands. Each lives in its own file and adds itself to the
// application with one add_*_command(app, global) call from main.cpp; its callback runs
// after the whole command line is parsed, and reports failure by throwing (main turns
// sslflow::Error and std::exception into "sslflow: error: ..." and exit status 1).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sslflow/plugin_loader.hpp"
#include "sslflow/registry.hpp"

namespace sslflow {

// Ends the command with `status` and, unless empty, "sslflow: <message>" on stderr.
struct CommandExit {
  int status;
  std::string message;
};

// Exit statuses beyond 0 (success), 1 (error) and 2 (usage).
inline constexpr int kExitInterrupted = 3;  // a run stopped by SIGINT/SIGTERM after a checkpoint

// Options every subcommand sees.
struct GlobalOptions {
  std::vector<std::string> plugin_paths;  // --plugin-path DIR, in the order given
  std::string command_line;               // argv, each argument quoted for a shell where it needs it
};

// The plugins found on the search path of `global`, loaded into one registry.
struct LoadedPlugins {
  Registry registry;
  std::vector<std::filesystem::path> search_path;
  std::vector<std::filesystem::path> libraries;
  std::vector<SkippedLibrary> skipped;
};

// Loads every plugin library on the search path; warnings go to stderr.
LoadedPlugins load_plugins(const GlobalOptions& global);

// sslflow plugins [--json] / sslflow plugins show NAME [--json]
void add_plugins_command(CLI::App& app, const GlobalOptions& global);
// sslflow validate FILE... [OVERRIDES]
void add_validate_command(CLI::App& app, const GlobalOptions& global);
// sslflow print-config FILE... [OVERRIDES]
void add_print_config_command(CLI::App& app, const GlobalOptions& global);
// sslflow graph FILE [OVERRIDES]
void add_graph_command(CLI::App& app, const GlobalOptions& global);
// sslflow run FILE... [OVERRIDES] [--jobs N] [--threads N] [--out DIR]
void add_run_command(CLI::App& app, const GlobalOptions& global);
// sslflow eval RUN_DIR [OVERRIDES]
void add_eval_command(CLI::App& app, const GlobalOptions& global);
// sslflow embed RUN_DIR --out FEATS.npy [--node NODE] [--split train|test] [--data MAP]
void add_embed_command(CLI::App& app, const GlobalOptions& global);
// sslflow data-stats FILE [OVERRIDES]
void add_data_stats_command(CLI::App& app, const GlobalOptions& global);

}  // namespace sslflow
