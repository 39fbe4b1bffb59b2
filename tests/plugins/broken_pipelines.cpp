#include "broken_pipelines.hpp"

#include <cmath>
#include <functional>
#include <set>
#include <variant>

namespace sslflow::testing {

namespace {

// A step of a path into the tree: a map key or a list index.
using Step = std::variant<std::string, size_t>;
using Path = std::vector<Step>;

const std::set<std::string> kReferenceKeys = {"input", "inputs", "mask", "teacher", "student", "label", "ema_of"};

std::string path_text(const Path& path) {
  std::string text;
  for (const Step& step : path) {
    if (const auto* key = std::get_if<std::string>(&step))
      text.append(text.empty() ? "" : ".").append(*key);
    else
      text.append("[").append(std::to_string(std::get<size_t>(step))).append("]");
  }
  return text;
}

template <class Value>  // ConfigValue or const ConfigValue
Value* at(Value& root, const Path& path) {
  Value* node = &root;
  for (const Step& step : path) {
    if (const auto* key = std::get_if<std::string>(&step))
      node = node->find(*key);
    else
      node = &node->as_list("list")[std::get<size_t>(step)];
  }
  return node;
}

std::vector<std::pair<std::string, ConfigValue>> replacements() {
  const SourceMark none;
  return {{"a string", ConfigValue("x", none)},
          {"-1", ConfigValue(int64_t{-1}, none)},
          {"0", ConfigValue(int64_t{0}, none)},
          {"2^31", ConfigValue(int64_t{1} << 31, none)},
          {"1e300", ConfigValue(1e300, none)},
          {"NaN", ConfigValue(std::nan(""), none)},
          {"true", ConfigValue(true, none)},
          {"null", ConfigValue(none)},
          {"[]", ConfigValue(ConfigValue::List{}, none)},
          {"{}", ConfigValue(ConfigValue::Map{}, none)}};
}

// Every path in the tree below the root, parents before children.
void collect(const ConfigValue& node, Path& path, std::vector<Path>& out) {
  if (node.is_map()) {
    for (const ConfigEntry& entry : node.as_map("map")) {
      path.emplace_back(entry.key);
      out.push_back(path);
      collect(entry.value, path, out);
      path.pop_back();
    }
  } else if (node.is_list()) {
    for (size_t i = 0; i < node.as_list("list").size(); ++i) {
      path.emplace_back(i);
      out.push_back(path);
      collect(node.as_list("list")[i], path, out);
      path.pop_back();
    }
  }
}

// The key a path's value belongs to: its last key, through list indices.
std::string owning_key(const Path& path) {
  for (auto step = path.rbegin(); step != path.rend(); ++step)
    if (const auto* key = std::get_if<std::string>(&*step)) return *key;
  return "";
}

}  // namespace

std::vector<BrokenPipeline> broken_variants(const ConfigValue& root) {
  std::vector<Path> paths;
  Path scratch;
  collect(root, scratch, paths);
  std::vector<std::string> node_names;
  if (const ConfigValue* nodes = root.find("nodes")) node_names = nodes->keys();

  std::vector<BrokenPipeline> out;
  auto variant = [&](const std::string& change_class, const std::string& change,
                     const std::function<void(ConfigValue&)>& edit) {
    BrokenPipeline broken{change_class, change, root};
    edit(broken.root);
    out.push_back(std::move(broken));
  };
  for (const Path& path : paths) {
    const std::string where = path_text(path);
    if (const auto* key = std::get_if<std::string>(&path.back())) {
      const Path parent(path.begin(), path.end() - 1);
      variant("removed key", where, [&](ConfigValue& r) { at(r, parent)->erase(*key); });
      variant("misspelt key", where + " -> " + *key + "_x", [&](ConfigValue& r) {
        ConfigValue* map = at(r, parent);
        ConfigValue value = *map->find(*key);
        map->erase(*key);
        map->set(*key + "_x", {}, std::move(value));
      });
    }
    for (const auto& [name, replacement] : replacements())
      variant("replaced value", where + " -> " + name, [&](ConfigValue& r) { *at(r, path) = replacement; });
    const ConfigValue* value = at(root, path);
    if (value->is_string() && kReferenceKeys.count(owning_key(path))) {
      std::vector<std::string> targets = node_names;
      targets.insert(targets.end(), {"data.image", "data.label", "nowhere"});
      for (const std::string& target : targets)
        variant("redirected input", where + " -> " + target,
                [&](ConfigValue& r) { *at(r, path) = ConfigValue(target, {}); });
    }
  }
  return out;
}

}  // namespace sslflow::testing
