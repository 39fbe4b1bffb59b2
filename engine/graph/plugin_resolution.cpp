#include "graph/plugin_resolution.hpp"

#include <algorithm>

#include "sslflow/error.hpp"

namespace sslflow::engine {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

Params resolve_options(const Schema& schema, const ConfigValue& map, const Registry& registry, const std::string& owner,
                       const std::vector<std::string>& reserved,
                       std::vector<NestedPlugin>* nested) {
  Value given(Value::Map{});
  if (!map.is_null())
    for (const ConfigEntry& entry : map.as_map(owner))
      if (!contains(reserved, entry.key)) given.set(entry.key, entry.value.to_value());
  Params params;
  try {
    params = Params::resolve(owner, schema, given);
  } catch (const OptionError& e) {
    const ConfigEntry* entry = e.option().empty() || map.is_null() ? nullptr : map.find_entry(e.option());
    const SourceMark& mark = !entry                                   ? map.mark()
                             : e.part() == OptionError::Part::Key ? entry->key_mark
                                                                   : entry->value.mark();
    throw config_error(mark, e.what());
  }
  for (const Option& o : schema) {
    if (o.type() != OptionType::Plugin) continue;
    const ConfigValue* written = map.is_null() ? nullptr : map.find(o.name());
    if (!written && o.default_value().is_null()) continue;  // optional, left out
    const ConfigValue fallback(written ? "" : o.default_value().find("plugin")->as_string(), map.mark());
    nested->push_back({o.name(), resolve_plugin({o.plugin_kind()}, written ? *written : fallback, registry,
                                                owner + "." + o.name())});
  }
  return params;
}

PluginSpec resolve_plugin(const std::vector<std::string>& kinds, const ConfigValue& value, const Registry& registry,
                          const std::string& owner, const std::vector<std::string>& reserved) {
  const ConfigValue* name_value = value.is_string() ? &value : value.find("plugin");
  if (!name_value)
    throw config_error(value.mark(), owner + ": expected a plugin, written {plugin: NAME, ...} or NAME (a " +
                                         comma_list(kinds) + ")");
  const std::string& name = name_value->as_string(owner + ".plugin");
  PluginSpec spec;
  spec.mark = value.mark();
  for (const std::string& kind : kinds)
    if (const PluginInfo* info = registry.find(kind, name)) {
      spec.info = info;
      spec.kind = kind;
      spec.name = name;
    }
  if (!spec.info) {
    std::vector<std::string> known;
    for (const std::string& kind : kinds)
      for (const std::string& n : registry.names(kind)) known.push_back(n);
    std::string hint = did_you_mean(name, known);
    if (hint.empty()) hint = known.empty() ? " (none is installed)" : "; installed: " + comma_list(known);
    for (const RefusedLibrary& refused : registry.refused())
      hint += "; refused, so not searched: " + refused.library + " (" + refused.reason + ")";
    throw config_error(name_value->mark(), owner + ": no " + comma_list(kinds) + " plugin named '" + name + "'" + hint);
  }
  std::vector<std::string> skip = reserved;
  skip.push_back("plugin");
  const std::string label = owner + " (" + spec.kind + "/" + spec.name + ")";
  spec.params = resolve_options(spec.info->schema, value.is_map() ? value : ConfigValue(ConfigValue::Map{}, value.mark()),
                                registry, label, skip, &spec.nested);
  if (spec.info->check) try {
      spec.info->check(spec.params);
    } catch (const OptionError& e) {
      throw config_error(value.mark(), label + ": " + e.what());
    }
  return spec;
}

}  // namespace sslflow::engine
