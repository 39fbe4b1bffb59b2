// Builds plugin objects from validated specs: nested plugin-valued options first (a
// method's `loss:`), then the plugin itself. Whatever a plugin's constructor throws
// leaves as an Error that starts with `context`, by default the plugin's
// plugin_context() (where the pipeline declares it, its kind and name).
#pragma once

#include <memory>
#include <string>

#include "graph/pipeline_graph.hpp"
#include "sslflow/interfaces/dataset.hpp"
#include "sslflow/registry.hpp"

namespace sslflow::engine {

std::shared_ptr<Plugin> build_plugin(const PluginSpec& spec, const std::string& context = "");

template <class Interface>
std::shared_ptr<Interface> build(const PluginSpec& spec, const std::string& context = "") {
  auto object = std::dynamic_pointer_cast<Interface>(build_plugin(spec, context));
  if (!object) throw PluginError(spec.info->library, spec.kind + "/" + spec.name + " is not a " + Interface::kKind);
  return object;
}

// The dataset `spec` names, built and opened; what open() throws names the plugin too.
std::shared_ptr<Dataset> open_dataset(const PluginSpec& spec);

}  // namespace sslflow::engine
