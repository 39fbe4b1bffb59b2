// sslflow graph FILE [OVERRIDES]: the validated task graph as DOT.
#include <iostream>

#include "app/commands.hpp"
#include "app/pipeline_args.hpp"
#include "graph/validate.hpp"

namespace sslflow {

void add_graph_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("graph", "write a pipeline's task graph as Graphviz DOT on stdout");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("pipeline", *args, "a pipeline file and overrides")->required();
  cmd->callback([args, &global] {
    const LoadedPlugins plugins = load_plugins(global);
    const auto configs = load_pipeline_configs(split_pipeline_args(*args));
    std::cout << engine::validate(configs.front(), plugins.registry).graph->to_dot();
  });
}

}  // namespace sslflow
