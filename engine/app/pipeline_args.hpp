// The positional arguments of the pipeline commands: pipeline files and overrides.
//
// An argument ending in .yaml or .yml is a pipeline file; one containing '=' or starting
// with '~' is an override (key.path=value, +key.path=value, ~key.path) applied to every
// file. Each file's `sweep:` section expands into one config per grid point.
#pragma once

#include <string>
#include <vector>

#include "config/pipeline_config.hpp"

namespace sslflow {

struct PipelineArgs {
  std::vector<std::string> files;
  std::vector<std::string> overrides;
};

// Whether an argument is an override (key=value, +key=value, ~key).
bool is_override(const std::string& arg);

// Splits arguments; an argument that is neither is a usage error naming it.
PipelineArgs split_pipeline_args(const std::vector<std::string>& args);

// Loads every file with the overrides and expands sweeps, in argument order.
std::vector<PipelineConfig> load_pipeline_configs(const PipelineArgs& args);

}  // namespace sslflow
