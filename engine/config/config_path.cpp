#include "config/config_path.hpp"

#include <algorithm>
#include <cctype>

#include "sslflow/params.hpp"

namespace sslflow {

namespace {

bool is_index(const std::string& part) {
  return !part.empty() && part.size() < 10 &&
         std::all_of(part.begin(), part.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string joined(const std::vector<std::string>& parts, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += (i ? "." : "") + parts[i];
  return s;
}

}  // namespace

ConfigPath::ConfigPath(std::string_view text, SourceMark at) : at_(std::move(at)) {
  bool bad = text.empty() ||
             std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) || c == '='; });
  size_t start = 0;
  while (!bad) {
    size_t dot = text.find('.', start);
    std::string_view part = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    bad = part.empty();
    parts_.emplace_back(part);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (bad)
    throw config_error(at_, "malformed key path '" + std::string(text) +
                                "': write dot-separated keys and list indices, like train.optimizer.lr or eval.0.k");
}

std::string ConfigPath::str() const { return joined(parts_, parts_.size()); }

ConfigValue* ConfigPath::child(ConfigValue& parent, const std::string& part) {
  if (parent.is_list()) {
    ConfigValue::List& list = parent.as_list("a list");
    if (!is_index(part)) return nullptr;
    size_t i = std::stoul(part);
    return i < list.size() ? &list[i] : nullptr;
  }
  return parent.find(part);
}

ConfigValue& ConfigPath::walk(ConfigValue& root, size_t steps) const {
  ConfigValue* node = &root;
  for (size_t i = 0; i < steps; ++i) {
    const std::string where = i ? "'" + joined(parts_, i) + "'" : "the top level";
    if (node->is_scalar())
      throw config_error(at_, "no key '" + str() + "': " + where + " is " + node->type_name() + " " + node->str() +
                                  ", not a map or a list");
    ConfigValue* next = child(*node, parts_[i]);
    if (!next) {
      if (node->is_list())
        throw config_error(at_, "no key '" + str() + "': " + where + " is a list of " +
                                    std::to_string(node->as_list("a list").size()) + " entries, '" + parts_[i] +
                                    "' is not an index into it");
      throw config_error(at_, "no key '" + str() + "': " + where + " has no key '" + parts_[i] + "'" +
                                  did_you_mean(parts_[i], node->keys()));
    }
    node = next;
  }
  return *node;
}

ConfigValue& ConfigPath::find(ConfigValue& root) const { return walk(root, parts_.size()); }

ConfigValue& ConfigPath::find_parent(ConfigValue& root) const { return walk(root, parts_.size() - 1); }

}  // namespace sslflow
