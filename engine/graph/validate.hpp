// Phase two: PipelineConfig -> ValidatedPipeline.
//
// Resolves every plugin the pipeline names (data, nodes, teachers' schedules, the
// optimizer, evaluators) and checks their options; wires each node's inputs to the ports
// they name and checks that the port types match; builds the node graph, refusing cycles;
// checks the `train:` and `eval:` settings. Reads no data and allocates no model. Every
// problem is a ConfigError at the file, line and column of the value at fault.
#pragma once

#include "config/pipeline_config.hpp"
#include "graph/validated_pipeline.hpp"
#include "sslflow/registry.hpp"

namespace sslflow::engine {

ValidatedPipeline validate(const PipelineConfig& config, const Registry& registry);

// The engine's own settings of `train:` and of each `eval:` entry, for documentation.
Schema train_schema();
// The engine's own keys of a plugin node (`frozen`, `load`), beside its plugin's options.
Schema node_schema();
Schema eval_schema();

}  // namespace sslflow::engine
