// Checks a pipeline's plugin references and options against the registry, at the file,
// line and column of each value.
//
// A plugin is written `{plugin: NAME, option: value, ...}` or just `NAME`. Resolving it
// checks that NAME is registered under one of the accepted kinds (else an error listing
// near names), that every other key is an option its schema declares (else a
// did-you-mean), that each value has the declared type and range, and that required
// options are set, then runs the rules the plugin states between its options (its
// PluginInfo::check). Plugin-valued options (a method's `loss:`) are resolved the same way,
// recursively. Keys listed as `reserved` (ports, engine settings) are left to the caller.
#pragma once

#include <string>
#include <vector>

#include "config/config_value.hpp"
#include "graph/pipeline_graph.hpp"
#include "sslflow/registry.hpp"

namespace sslflow::engine {

PluginSpec resolve_plugin(const std::vector<std::string>& kinds, const ConfigValue& value, const Registry& registry,
                          const std::string& owner, const std::vector<std::string>& reserved = {});

// Checks the keys of `map` except `reserved` against `schema`; plugin-valued options are
// resolved into `nested`. Returns the Params with defaults filled in.
Params resolve_options(const Schema& schema, const ConfigValue& map, const Registry& registry, const std::string& owner,
                       const std::vector<std::string>& reserved,
                       std::vector<NestedPlugin>* nested);

}  // namespace sslflow::engine
