// The resolved config: a validated pipeline written back as YAML, the user's tree with
// every value that the engine or a plugin fills in by default added after the keys that
// were written (each plugin's options, plugin-valued options such as `loss:` with theirs,
// the `train:` and `eval:` keys, `seed`, `frozen`), so that what a run used can be read in
// one place. It parses back to the same pipeline: validating it again changes nothing.
//
// A header of comments names the pipeline, the file it was read from, the sslflow version
// and the commit its build was configured from, and the library and version of every
// plugin it uses.
#pragma once

#include <string>

#include "config/pipeline_config.hpp"
#include "graph/validated_pipeline.hpp"

namespace sslflow::engine {

std::string resolved_config_yaml(const PipelineConfig& config, const ValidatedPipeline& pipeline);

}  // namespace sslflow::engine
