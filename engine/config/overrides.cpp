#include "config/overrides.hpp"

#include "config/config_path.hpp"
#include "config/yaml_reader.hpp"
#include "sslflow/params.hpp"

namespace sslflow {

namespace {

enum class Op { Replace, Add, Upsert, Remove };

// A value the way a shell user types it: YAML scalars and flow collections, else the text.
ConfigValue parse_value(const std::string& text, const SourceMark& at) {
  ConfigValue v = read_yaml_value(text, at);
  size_t first = text.find_first_not_of(" \t");
  bool flow = first != std::string::npos && (text[first] == '[' || text[first] == '{');
  if (!v.is_scalar() && !flow) return ConfigValue(text, at);
  return v;
}

void add_at(ConfigValue& root, const ConfigPath& path, ConfigValue value) {
  ConfigValue& parent = path.find_parent(root);
  const std::string& key = path.last();
  if (parent.is_list()) {
    ConfigValue::List& list = parent.as_list("a list");
    if (key != std::to_string(list.size()))
      throw config_error(path.mark(), "cannot add '" + path.str() + "': '+' appends to a list only at index " +
                                          std::to_string(list.size()) + "; use " + path.str() + "=... to replace");
    list.push_back(std::move(value));
    return;
  }
  if (ConfigPath::child(parent, key))
    throw config_error(path.mark(), "cannot add '" + path.str() + "': it exists already; write " + path.str() +
                                        "=... to replace it");
  if (!parent.is_map() && !parent.is_null())
    throw config_error(path.mark(), "cannot add '" + path.str() + "': its parent is " + parent.type_name() +
                                        ", not a map");
  parent.set(key, path.mark(), std::move(value));
}

void remove_at(ConfigValue& root, const ConfigPath& path) {
  path.find(root);  // reports a missing key with a did-you-mean
  ConfigValue& parent = path.find_parent(root);
  if (parent.is_list()) {
    ConfigValue::List& list = parent.as_list("a list");
    list.erase(list.begin() + static_cast<std::ptrdiff_t>(std::stoul(path.last())));
    return;
  }
  parent.erase(path.last());
}

}  // namespace

SourceMark override_mark(const std::string& text) { return {"override '" + text + "'", 0, 0}; }

void replace_at(ConfigValue& root, const std::string& path, const SourceMark& at, ConfigValue value) {
  ConfigPath(path, at).find(root) = std::move(value);
}

void apply_override(ConfigValue& root, const std::string& text) {
  const SourceMark at = override_mark(text);
  Op op = Op::Replace;
  size_t start = 0;
  if (text.starts_with("~")) {
    op = Op::Remove;
    start = 1;
  } else if (text.starts_with("++")) {
    op = Op::Upsert;
    start = 2;
  } else if (text.starts_with("+")) {
    op = Op::Add;
    start = 1;
  }
  size_t eq = text.find('=');
  if (op == Op::Remove) {
    if (eq != std::string::npos) throw config_error(at, "write ~key.path to remove a key, without '=value'");
    remove_at(root, ConfigPath(std::string_view(text).substr(start), at));
    return;
  }
  if (eq == std::string::npos)
    throw config_error(at, "expected key.path=value, +key.path=value, ++key.path=value or ~key.path");
  ConfigPath path(std::string_view(text).substr(start, eq - start), at);
  ConfigValue value = parse_value(text.substr(eq + 1), at);
  // A key the file leaves out may still have a default: a plain override sets it, and
  // validation refuses it, naming this override, if no schema declares it.
  ConfigValue& parent = path.find_parent(root);
  const bool absent = !ConfigPath::child(parent, path.last());
  if (op == Op::Add || (absent && (op == Op::Upsert || parent.is_map()))) {
    add_at(root, path, std::move(value));
    return;
  }
  path.find(root) = std::move(value);
}

}  // namespace sslflow
