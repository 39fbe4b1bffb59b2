// Builds plugin objects from validated specs: nested plugin-valued options first (a
// method's `loss:`), then the plugin itself. Errors from a plugin's constructor are
// rethrown naming the plugin and where the pipeline declared it.
#pragma once

#include <memory>

#include "graph/pipeline_graph.hpp"
#include "sslflow/registry.hpp"

namespace sslflow::engine {

std::shared_ptr<Plugin> build_plugin(const PluginSpec& spec);

template <class Interface>
std::shared_ptr<Interface> build(const PluginSpec& spec) {
  auto object = std::dynamic_pointer_cast<Interface>(build_plugin(spec));
  if (!object) throw PluginError(spec.info->library, spec.kind + "/" + spec.name + " is not a " + Interface::kKind);
  return object;
}

}  // namespace sslflow::engine
