// sslflow print-config FILE [OVERRIDES]: the resolved pipeline as YAML, every default filled
// in (graph/resolved_config.hpp); validated first, so the plugins must be found.
#include <iostream>

#include "app/commands.hpp"
#include "app/pipeline_args.hpp"
#include "graph/validate.hpp"

namespace sslflow {

void add_print_config_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("print-config",
                                 "print pipelines after overrides and sweep expansion, every default filled in, as YAML");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("pipeline", *args, "pipeline files and overrides")->required();
  cmd->callback([args, &global] {
    const LoadedPlugins plugins = load_plugins(global);
    const auto configs = load_pipeline_configs(split_pipeline_args(*args));
    for (size_t i = 0; i < configs.size(); ++i)
      std::cout << (i ? "---\n" : "") << engine::validate(configs[i], plugins.registry).resolved_yaml;
  });
}

}  // namespace sslflow
