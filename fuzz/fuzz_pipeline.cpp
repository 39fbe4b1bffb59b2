// Fuzzes the pipeline reader through validation: YAML parsing, the pipeline grammar,
// overrides' targets, plugin and option resolution against the shipped plugins, port
// wiring, cycles and the plugins' own checks (engine/config, engine/graph).
#include <sstream>
#include <string_view>

#include "config/pipeline_config.hpp"
#include "fuzz_target.hpp"
#include "graph/validate.hpp"
#include "sslflow/plugin_loader.hpp"
#include "sslflow/error.hpp"

namespace {

const sslflow::Registry& shipped_plugins() {
  static const sslflow::Registry registry = [] {
    sslflow::Registry r;
    std::ostringstream warnings;
    sslflow::PluginLoader(r, warnings).load_directories({SSLFLOW_BUILD_PLUGIN_DIR});
    return r;
  }();
  return registry;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    sslflow::engine::validate(sslflow::PipelineConfig::parse(text, "fuzz.yaml"), shipped_plugins());
  } catch (const sslflow::Error&) {
  }
  return 0;
}
