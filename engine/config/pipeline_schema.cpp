#include "config/pipeline_schema.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "config/config_path.hpp"
#include "sslflow/params.hpp"

namespace sslflow {

namespace {

constexpr size_t kMaxNameBytes = 256;
const std::vector<std::string> kTopLevelKeys = {"name", "seed", "train", "data", "nodes", "eval", "sweep"};

// `{plugin: NAME, options...}`.
void check_plugin_value(const ConfigValue& v, const std::string& what) {
  v.as_map(what + " ({plugin: NAME, options...})");
  const ConfigValue* plugin = v.find("plugin");
  if (!plugin) throw config_error(v.mark(), what + " needs a plugin: write {plugin: NAME, options...}");
  if (plugin->as_string(what + ".plugin").empty())
    throw config_error(plugin->mark(), what + ".plugin must name a plugin");
}

void check_node(const ConfigEntry& entry) {
  const std::string what = "node '" + entry.key + "'";
  if (!is_identifier(entry.key))
    throw config_error(entry.key_mark, "node name '" + entry.key +
                                           "' is not an identifier (letters, digits and _, not starting with a digit)");
  if (entry.key == "data")
    throw config_error(entry.key_mark, "'data' names the dataset; choose another node name");
  const ConfigValue& node = entry.value;
  node.as_map(what);
  const ConfigEntry* plugin = node.find_entry("plugin");
  const ConfigEntry* ema_of = node.find_entry("ema_of");
  if (plugin && ema_of) {
    const ConfigEntry* later = std::max(plugin, ema_of);  // entries are stored in written order
    throw config_error(later->key_mark, what + " has both plugin and ema_of: a node is either a plugin or the EMA "
                                               "teacher of another node");
  }
  if (!plugin && !ema_of)
    throw config_error(entry.key_mark, what + " needs 'plugin: NAME', or 'ema_of: NODE' for an EMA teacher");
  if (plugin && plugin->value.as_string(what + ".plugin").empty())
    throw config_error(plugin->value.mark(), what + ".plugin must name a plugin");
  if (ema_of) {
    const std::string& student = ema_of->value.as_string(what + ".ema_of");
    if (!is_identifier(student))
      throw config_error(ema_of->value.mark(), what + ".ema_of must name a node, got '" + student + "'");
  }
}

void check_sweep(const ConfigValue& sweep, const ConfigValue& root) {
  for (const ConfigEntry& e : sweep.as_map("sweep")) {
    ConfigPath path(e.key, e.key_mark);
    if (path.parts().front() == "sweep") throw config_error(e.key_mark, "a sweep cannot vary the sweep itself");
    path.find(root);
    if (e.value.as_list("sweep '" + e.key + "' (a list of values)").empty())
      throw config_error(e.value.mark(), "sweep '" + e.key + "' needs at least one value");
  }
}

// A pipeline's name is printed in logs, tables and directory names: one short line of
// printable text.
void check_name(const ConfigValue& value) {
  const std::string& name = value.as_string("name");
  if (name.empty()) throw config_error(value.mark(), "name must not be empty");
  if (name.size() > kMaxNameBytes)
    throw config_error(value.mark(), "name is " + std::to_string(name.size()) + " bytes long; at most " +
                                         std::to_string(kMaxNameBytes) + " are allowed");
  const auto control = std::find_if(name.begin(), name.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
  if (control != name.end()) {
    char code[5];
    std::snprintf(code, sizeof code, "\\x%02x", static_cast<unsigned char>(*control));
    throw config_error(value.mark(), std::string("name holds the control character ") + code + " at byte " +
                                         std::to_string(control - name.begin()) + "; write printable text");
  }
}

}  // namespace

void check_pipeline(const ConfigValue& root) {
  for (const ConfigEntry& e : root.as_map("a pipeline file"))
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), e.key) == kTopLevelKeys.end())
      throw config_error(e.key_mark, "unknown top-level key '" + e.key + "'" + did_you_mean(e.key, kTopLevelKeys) +
                                         " (allowed: " + comma_list(kTopLevelKeys) + ")");
  for (const char* required : {"data", "nodes"})
    if (!root.find(required))
      throw config_error(root.mark(), std::string("a pipeline needs '") + required + ":'");
  if (const ConfigValue* name = root.find("name")) check_name(*name);
  if (const ConfigValue* seed = root.find("seed"); seed && seed->as_int("seed") < 0)
    throw config_error(seed->mark(), "seed must be >= 0, got " + seed->str());
  if (const ConfigValue* train = root.find("train")) train->as_map("train");
  check_plugin_value(*root.find("data"), "data");
  const ConfigValue& nodes = *root.find("nodes");
  if (nodes.as_map("nodes").empty()) throw config_error(nodes.mark(), "nodes must name at least one node");
  for (const ConfigEntry& e : nodes.as_map("nodes")) check_node(e);
  if (const ConfigValue* eval = root.find("eval")) {
    const ConfigValue::List& list = eval->as_list("eval");
    for (size_t i = 0; i < list.size(); ++i) check_plugin_value(list[i], "eval." + std::to_string(i));
  }
  if (const ConfigValue* sweep = root.find("sweep")) check_sweep(*sweep, root);
}

}  // namespace sslflow
