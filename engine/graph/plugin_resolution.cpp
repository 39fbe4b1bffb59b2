#include "graph/plugin_resolution.hpp"

#include <algorithm>

#include "sslflow/error.hpp"

namespace sslflow::engine {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

}  // namespace

Params resolve_options(const Schema& schema, const ConfigValue& map, const Registry& registry, const std::string& owner,
                       const std::vector<std::string>& reserved,
                       std::vector<NestedPlugin>* nested) {
  std::vector<std::string> names;
  for (const Option& o : schema) names.push_back(o.name());
  Value given(Value::Map{});
  if (!map.is_null())
    for (const ConfigEntry& entry : map.as_map(owner)) {
      if (contains(reserved, entry.key)) continue;
      const Option* option = find_option(schema, entry.key);
      if (!option) {
        std::string known = names.empty() ? " (it takes no options)" : did_you_mean(entry.key, names);
        throw config_error(entry.key_mark, owner + ": unknown option '" + entry.key + "'" + known);
      }
      Value checked;
      try {
        checked = option->check(entry.value.to_value());
      } catch (const OptionError& e) {
        throw config_error(entry.value.mark(), owner + ": " + e.what() + " — " + option->doc());
      }
      if (option->type() == OptionType::Plugin)
        nested->push_back(
            {entry.key, resolve_plugin({option->plugin_kind()}, entry.value, registry, owner + "." + entry.key)});
      given.set(entry.key, checked);
    }
  for (const Option& o : schema) {
    if (!given.find(o.name()) && o.is_required())
      throw config_error(map.mark(), owner + ": missing required option '" + o.name() + "' (" + o.describe_type() +
                                         ": " + o.doc() + ")");
    if (!given.find(o.name()) && o.type() == OptionType::Plugin && !o.default_value().is_null()) {
      ConfigValue fallback(o.default_value().find("plugin")->as_string(), map.mark());
      nested->push_back({o.name(), resolve_plugin({o.plugin_kind()}, fallback, registry, owner + "." + o.name())});
    }
  }
  try {
    return Params::resolve(owner, schema, given);
  } catch (const OptionError& e) {
    throw config_error(map.mark(), e.what());
  }
}

PluginSpec resolve_plugin(const std::vector<std::string>& kinds, const ConfigValue& value, const Registry& registry,
                          const std::string& owner, const std::vector<std::string>& reserved) {
  const ConfigValue* name_value = value.is_string() ? &value : value.find("plugin");
  if (!name_value)
    throw config_error(value.mark(), owner + ": expected a plugin, written {plugin: NAME, ...} or NAME (a " +
                                         join(kinds) + ")");
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
    if (hint.empty()) hint = known.empty() ? " (none is installed)" : "; installed: " + join(known);
    for (const RefusedLibrary& refused : registry.refused())
      hint += "; refused, so not searched: " + refused.library + " (" + refused.reason + ")";
    throw config_error(name_value->mark(), owner + ": no " + join(kinds) + " plugin named '" + name + "'" + hint);
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
