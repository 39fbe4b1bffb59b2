// sslflow validate FILE... [OVERRIDES]: phases one and two, then the shape pass
// (exec/shape_check.hpp), without the data.
#include <iostream>

#include "app/commands.hpp"
#include "app/pipeline_args.hpp"
#include "exec/shape_check.hpp"
#include "graph/validate.hpp"

namespace sslflow {

void add_validate_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("validate", "check pipelines: plugins, options, ports, graph, shapes (reads no data)");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("pipeline", *args, "pipeline files and overrides (key=value, +key=value, ~key)")->required();
  cmd->callback([args, &global] {
    const LoadedPlugins plugins = load_plugins(global);
    for (const PipelineConfig& config : load_pipeline_configs(split_pipeline_args(*args))) {
      const engine::ValidatedPipeline p = engine::validate(config, plugins.registry);
      engine::check_shapes(p);
      std::cout << config.file() << ": " << p.name << ": ok (" << p.graph->nodes().size() << " nodes)\n";
    }
  });
}

}  // namespace sslflow
