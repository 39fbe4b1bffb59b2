// sslflow data-stats FILE [OVERRIDES]: the per-channel mean and standard deviation of the
// pipeline's training images (train/channel_stats.hpp), written as the `mean` and `std`
// options of the normalize and augment transforms take them.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/pipeline_args.hpp"
#include "exec/plugin_factory.hpp"
#include "graph/validate.hpp"
#include "train/channel_stats.hpp"

namespace sslflow {

namespace {

std::string yaml_list(const std::vector<double>& values) {
  std::string text = "[";
  for (double v : values) {
    char number[32];
    std::snprintf(number, sizeof number, "%.4f", v);
    text += (text.size() > 1 ? ", " : "") + std::string(number);
  }
  return text + "]";
}

}  // namespace

void add_data_stats_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "data-stats", "the per-channel mean and std of a pipeline's training images, for normalize's and augment's options");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("pipeline", *args, "a pipeline file and overrides")->required();
  cmd->callback([args, &global] {
    const LoadedPlugins plugins = load_plugins(global);
    const auto configs = load_pipeline_configs(split_pipeline_args(*args));
    const engine::ValidatedPipeline pipeline = engine::validate(configs.front(), plugins.registry);
    const auto data = engine::open_dataset(pipeline.data);
    const engine::ChannelStats stats = engine::channel_stats(*data, Split::Train);
    std::cout << "# " << pipeline.data.kind << "/" << pipeline.data.name << ": " << stats.samples
              << " training samples of " << data->sample_shape().str() << "\n"
              << "mean: " << yaml_list(stats.mean) << "\n"
              << "std: " << yaml_list(stats.std) << "\n";
  });
}

}  // namespace sslflow
