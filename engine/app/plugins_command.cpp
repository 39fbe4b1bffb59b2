// sslflow plugins: what the plugin search path provides, and each plugin's options with
// the engine's keys beside them; `show train` and `show eval` for the engine's sections.
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/encoder.hpp"
#include "sslflow/interfaces/evaluator.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/interfaces/transform.hpp"
#include "sslflow/params.hpp"

namespace sslflow {

namespace {

using Json = nlohmann::ordered_json;

struct PluginsOptions {
  bool json = false;
  std::string name;  // for `show`
};

Json to_json(const Value& value) {
  if (value.is_bool()) return value.as_bool();
  if (value.is_int()) return value.as_int();
  if (value.is_float()) return value.as_float();
  if (value.is_string()) return value.as_string();
  if (value.is_list()) {
    Json list = Json::array();
    for (const Value& item : value.as_list()) list.push_back(to_json(item));
    return list;
  }
  if (value.is_map()) {
    Json map = Json::object();
    for (const auto& [key, item] : value.as_map()) map[key] = to_json(item);
    return map;
  }
  return nullptr;
}

std::string default_text(const Option& option) {
  if (option.is_required()) return "required";
  if (option.default_value().is_null()) return "unset";
  return option.default_value().str();
}

// `kind/name`, or a name that only one kind has.
const PluginInfo& find_plugin(const Registry& registry, const std::string& wanted) {
  std::vector<const PluginInfo*> matches;
  std::vector<std::string> candidates;
  for (const PluginInfo* info : registry.list()) {
    if (info->key() == wanted || info->name == wanted) matches.push_back(info);
    candidates.push_back(info->key());
    candidates.push_back(info->name);
  }
  if (matches.size() == 1) return *matches.front();
  if (matches.empty()) throw Error("no plugin named '" + wanted + "'" + did_you_mean(wanted, candidates));
  std::string keys;
  for (const PluginInfo* info : matches) keys += (keys.empty() ? "" : ", ") + info->key();
  throw Error("plugin name '" + wanted + "' is ambiguous (" + keys + "); give it as kind/name");
}

Json plugin_json(const PluginInfo& info) {
  return {{"key", info.key()},       {"kind", info.kind},
          {"name", info.name},       {"description", info.description},
          {"library", info.library}, {"library_version", info.library_version}};
}

Json option_json(const Option& option) {
  Json json{{"name", option.name()},
            {"type", to_string(option.type())},
            {"constraint", option.describe_type()},
            {"required", option.is_required()},
            {"default", to_json(option.default_value())},
            {"doc", option.doc()}};
  if (option.lower()) json["min"] = *option.lower();
  if (option.lower() && option.lower_exclusive()) json["min_exclusive"] = true;
  if (option.upper()) json["max"] = *option.upper();
  if (!option.choices().empty()) json["choices"] = option.choices();
  if (option.type() == OptionType::Plugin) json["plugin_kind"] = option.plugin_kind();
  return json;
}

// "1 library", "3 libraries".
std::string counted(size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string padded(const std::string& text, size_t width) {
  return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
}

void print_list(const LoadedPlugins& loaded, bool json) {
  const std::vector<const PluginInfo*> plugins = loaded.registry.list();
  if (json) {
    Json out{{"search_path", Json::array()},
             {"plugins", Json::array()},
             {"refused", Json::array()},
             {"skipped", Json::array()}};
    for (const auto& dir : loaded.search_path) out["search_path"].push_back(dir.string());
    for (const PluginInfo* info : plugins) out["plugins"].push_back(plugin_json(*info));
    for (const RefusedLibrary& r : loaded.registry.refused())
      out["refused"].push_back({{"library", r.library}, {"reason", r.reason}});
    for (const SkippedLibrary& s : loaded.skipped)
      out["skipped"].push_back({{"library", s.path.string()}, {"reason", s.reason}});
    std::cout << out.dump(2) << "\n";
    return;
  }
  size_t name_width = 0, description_width = 0;
  for (const PluginInfo* info : plugins) {
    name_width = std::max(name_width, info->name.size());
    description_width = std::max(description_width, info->description.size());
  }
  std::string kind;
  for (const PluginInfo* info : plugins) {
    if (info->kind != kind) std::cout << (kind.empty() ? "" : "\n") << info->kind << "\n";
    kind = info->kind;
    std::cout << "  " << padded(info->name, name_width) << "  " << padded(info->description, description_width) << "  "
              << info->library << " " << info->library_version << "\n";
  }
  const std::vector<RefusedLibrary>& refused = loaded.registry.refused();
  if (!refused.empty()) std::cout << (plugins.empty() ? "" : "\n") << "refused\n";
  for (const RefusedLibrary& r : refused) std::cout << "  " << r.library << ": " << r.reason << "\n";
  std::string dirs;
  for (const auto& dir : loaded.search_path) dirs += (dirs.empty() ? "" : ":") + dir.string();
  std::cout << (plugins.empty() && refused.empty() ? "" : "\n") << counted(plugins.size(), "plugin", "plugins")
            << " from " << counted(loaded.libraries.size(), "library", "libraries")
            << (refused.empty() ? "" : ", " + std::to_string(refused.size()) + " refused")
            << "; search path: " << (dirs.empty() ? "(empty)" : dirs) << "\n";
}

Json ports_json(const std::vector<PortSpec>& ports) {
  Json out = Json::array();
  for (const PortSpec& p : ports)
    out.push_back({{"name", p.name}, {"type", to_string(p.type)}, {"doc", p.doc}, {"optional", p.optional},
                   {"repeated", p.repeated}});
  return out;
}

void print_ports(const char* title, const std::vector<PortSpec>& ports) {
  if (ports.empty()) return;
  std::cout << title << ":\n";
  for (const PortSpec& p : ports)
    std::cout << "  " << p.name << (p.repeated ? "[s]" : "") << "  " << to_string(p.type)
              << (p.optional ? ", optional" : "") << "  " << p.doc << "\n";
}

Json schema_json(const Schema& schema) {
  Json out = Json::array();
  for (const Option& option : schema) out.push_back(option_json(option));
  return out;
}

void print_options(const std::string& title, const Schema& schema) {
  if (schema.empty()) {
    std::cout << title << ": none\n";
    return;
  }
  size_t name_width = 0, type_width = 0, default_width = 0;
  for (const Option& option : schema) {
    name_width = std::max(name_width, option.name().size());
    type_width = std::max(type_width, option.describe_type().size());
    default_width = std::max(default_width, default_text(option).size());
  }
  std::cout << title << ":\n";
  for (const Option& option : schema)
    std::cout << "  " << padded(option.name(), name_width) << "  " << padded(option.describe_type(), type_width) << "  "
              << padded(default_text(option), default_width) << "  " << option.doc() << "\n";
}

// The engine's keys written beside a plugin of `kind`'s options, with their title.
std::pair<std::string, Schema> engine_keys(const std::string& kind) {
  if (kind == Transform::kKind || kind == Encoder::kKind || kind == Method::kKind)
    return {"engine keys of every node", engine::node_schema()};
  if (kind == Evaluator::kKind) return {"engine keys of every eval: entry", engine::eval_schema()};
  return {};
}

// `sslflow plugins show train` and `show eval`: the engine's sections, not plugins.
bool print_section(const std::string& name, bool json) {
  if (name != "train" && name != "eval") return false;
  const Schema schema = name == "train" ? engine::train_schema() : engine::eval_schema();
  if (json) {
    std::cout << Json{{"key", name}, {"options", schema_json(schema)}}.dump(2) << "\n";
    return true;
  }
  std::cout << name << ": " << (name == "train" ? "the pipeline's train: section" : "each entry of eval:, beside its evaluator's options") << "\n";
  print_options("keys", schema);
  return true;
}

void print_show(const LoadedPlugins& loaded, const std::string& name, bool json) {
  if (print_section(name, json)) return;
  const PluginInfo& info = find_plugin(loaded.registry, name);
  const auto [engine_title, engine_schema] = engine_keys(info.kind);
  if (json) {
    Json out = plugin_json(info);
    out["options"] = schema_json(info.schema);
    out["engine_keys"] = schema_json(engine_schema);
    out["inputs"] = ports_json(info.signature.inputs);
    out["outputs"] = ports_json(info.signature.outputs);
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << info.key() << ": " << info.description << "\n"
            << "library: " << info.library << " " << info.library_version << "\n";
  print_ports("inputs", info.signature.inputs);
  print_ports("outputs", info.signature.outputs);
  print_options("options", info.schema);
  if (!engine_schema.empty()) print_options(engine_title, engine_schema);
}

}  // namespace

void add_plugins_command(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<PluginsOptions>();
  CLI::App* plugins = app.add_subcommand("plugins", "List every plugin found on the plugin search path");
  plugins->add_flag("--json", options->json, "print JSON");
  plugins->require_subcommand(0, 1);
  CLI::App* show = plugins->add_subcommand(
      "show", "Print a plugin's options (type and range, default, doc) and the engine's keys beside them; "
              "`show train` and `show eval` print the engine's train: and eval: keys");
  show->add_option("NAME", options->name, "kind/name, a name only one kind has, train or eval")->required();
  show->add_flag("--json", options->json, "print JSON");

  plugins->callback([&global, options, show] {
    const LoadedPlugins loaded = load_plugins(global);
    if (show->parsed())
      print_show(loaded, options->name, options->json);
    else
      print_list(loaded, options->json);
  });
}

}  // namespace sslflow
