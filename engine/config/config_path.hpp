// Dotted paths into a config tree, as overrides and sweeps write them: train.optimizer.lr,
// eval.0.k. A component that is all digits indexes a list; anything else is a map key.
// Errors are ConfigErrors at the mark of whatever named the path (an override, a sweep key).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config_value.hpp"

namespace sslflow {

class ConfigPath {
 public:
  // Splits `text`; an empty text or component, or whitespace, is an error at `at`.
  ConfigPath(std::string_view text, SourceMark at);

  const std::vector<std::string>& parts() const { return parts_; }
  const std::string& last() const { return parts_.back(); }
  const SourceMark& mark() const { return at_; }
  std::string str() const;

  // The value the path names; an error with a did-you-mean when any step is missing.
  ConfigValue& find(ConfigValue& root) const;
  const ConfigValue& find(const ConfigValue& root) const { return find(const_cast<ConfigValue&>(root)); }
  // The value holding the last component (the root for a one-part path).
  ConfigValue& find_parent(ConfigValue& root) const;
  // The path's value inside the parent from find_parent(); nullptr when absent.
  static ConfigValue* child(ConfigValue& parent, const std::string& part);

 private:
  ConfigValue& walk(ConfigValue& root, size_t steps) const;

  std::vector<std::string> parts_;
  SourceMark at_;
};

}  // namespace sslflow
