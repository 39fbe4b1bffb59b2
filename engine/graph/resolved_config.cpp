#include "graph/resolved_config.hpp"

#include <map>
#include <utility>

#include "config/yaml_writer.hpp"
#include "sslflow/version.hpp"

namespace sslflow::engine {

namespace {

ConfigValue from_value(const Value& v, const SourceMark& mark) {
  if (v.is_bool()) return ConfigValue(v.as_bool(), mark);
  if (v.is_int()) return ConfigValue(v.as_int(), mark);
  if (v.is_float()) return ConfigValue(v.as_float(), mark);
  if (v.is_string()) return ConfigValue(v.as_string(), mark);
  if (v.is_list()) {
    ConfigValue::List items;
    for (const Value& item : v.as_list()) items.push_back(from_value(item, mark));
    return ConfigValue(std::move(items), mark);
  }
  if (v.is_map()) {
    ConfigValue map(ConfigValue::Map{}, mark);
    for (const auto& [key, item] : v.as_map()) map.set(key, mark, from_value(item, mark));
    return map;
  }
  return ConfigValue(mark);
}

// Adds to `map` each non-null entry of `resolved` (a map) that it lacks.
void add_missing(ConfigValue& map, const Value& resolved) {
  if (!resolved.is_map()) return;
  for (const auto& [key, value] : resolved.as_map())
    if (!map.find(key) && !value.is_null()) map.set(key, map.mark(), from_value(value, map.mark()));
}

// `value` ("NAME" or {plugin: NAME, ...}) with the defaults of `spec`, its nested plugins' included.
void add_plugin_defaults(ConfigValue& value, const PluginSpec& spec) {
  if (value.is_string()) {
    ConfigValue map(ConfigValue::Map{}, value.mark());
    map.set("plugin", value.mark(), value);
    value = std::move(map);
  }
  add_missing(value, spec.params.values());
  for (const NestedPlugin& nested : spec.nested)
    if (ConfigValue* option = value.find(nested.option)) add_plugin_defaults(*option, nested.plugin);
}

ConfigValue& section(ConfigValue& root, const std::string& key) {
  if (!root.find(key)) root.set(key, root.mark(), ConfigValue(ConfigValue::Map{}, root.mark()));
  return *root.find(key);
}

ConfigValue with_defaults(const ConfigValue& root, const ValidatedPipeline& p) {
  ConfigValue out = root;
  if (!out.find("seed")) out.set("seed", out.mark(), ConfigValue(static_cast<int64_t>(p.seed), out.mark()));
  add_plugin_defaults(*out.find("data"), p.data);
  ConfigValue& train = section(out, "train");
  add_missing(train, p.train.options);
  add_plugin_defaults(*train.find("optimizer"), p.train.optimizer);
  ConfigValue& nodes = *out.find("nodes");
  for (const NodeSpec& node : p.graph->nodes()) {
    ConfigValue& body = *nodes.find(node.name);
    if (node.is_teacher()) {
      add_plugin_defaults(*body.find("schedule"), node.schedule);
      continue;
    }
    add_plugin_defaults(body, node.plugin);
    if (!body.find("frozen")) body.set("frozen", body.mark(), ConfigValue(false, body.mark()));
  }
  if (ConfigValue* evals = out.find("eval"))
    for (size_t i = 0; i < p.evals.size(); ++i) {
      ConfigValue& entry = evals->as_list("eval")[i];
      add_plugin_defaults(entry, p.evals[i].evaluator);
      add_missing(entry, p.evals[i].options);
    }
  return out;
}

// "kind/name" -> "library version" of `spec` and the plugins nested in it.
void collect_libraries(const PluginSpec& spec, std::map<std::string, std::string>& out) {
  if (!spec.info) return;
  out[spec.kind + "/" + spec.name] = spec.info->library.empty() ? "built in" : spec.info->library + " " + spec.info->library_version;
  for (const NestedPlugin& nested : spec.nested) collect_libraries(nested.plugin, out);
}

std::string header(const PipelineConfig& config, const ValidatedPipeline& p) {
  std::string source = config.file();
  for (char& c : source)
    if (c == '\n' || c == '\r') c = ' ';
  std::map<std::string, std::string> libraries;
  collect_libraries(p.data, libraries);
  collect_libraries(p.train.optimizer, libraries);
  for (const NodeSpec& node : p.graph->nodes()) {
    collect_libraries(node.plugin, libraries);
    collect_libraries(node.schedule, libraries);
  }
  for (const EvalSpec& e : p.evals) collect_libraries(e.evaluator, libraries);
  std::string text = "# pipeline " + config.name() + ", resolved by sslflow from " + source + "\n" +
                     "# sslflow " + SSLFLOW_VERSION_STRING + ", configured from commit " + SSLFLOW_COMMIT + "\n";
  for (const auto& [plugin, library] : libraries) text += "# plugin " + plugin + ": " + library + "\n";
  return text;
}

}  // namespace

std::string resolved_config_yaml(const PipelineConfig& config, const ValidatedPipeline& pipeline) {
  return header(config, pipeline) + write_yaml(with_defaults(config.root(), pipeline));
}

}  // namespace sslflow::engine
