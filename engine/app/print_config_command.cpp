// sslflow print-config FILE [OVERRIDES]: the resolved pipeline as YAML.
#include <iostream>

#include "app/commands.hpp"
#include "app/pipeline_args.hpp"

namespace sslflow {

void add_print_config_command(CLI::App& app, const GlobalOptions&) {
  auto* cmd = app.add_subcommand("print-config", "print pipelines after overrides and sweep expansion, as YAML");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("pipeline", *args, "pipeline files and overrides")->required();
  cmd->callback([args] {
    const auto configs = load_pipeline_configs(split_pipeline_args(*args));
    for (size_t i = 0; i < configs.size(); ++i) std::cout << (i ? "---\n" : "") << configs[i].to_yaml();
  });
}

}  // namespace sslflow
