#include "config/sweep.hpp"

#include <algorithm>
#include <string>

#include "config/config_path.hpp"
#include "config/overrides.hpp"

namespace sslflow {

namespace {

// The short label of each swept path: its last key unless another path ends the same way.
std::vector<std::string> labels(const ConfigValue::Map& sweep) {
  std::vector<std::string> lasts;
  for (const ConfigEntry& e : sweep) lasts.push_back(ConfigPath(e.key, e.key_mark).last());
  std::vector<std::string> out;
  for (size_t i = 0; i < sweep.size(); ++i)
    out.push_back(std::count(lasts.begin(), lasts.end(), lasts[i]) > 1 ? sweep[i].key : lasts[i]);
  return out;
}

}  // namespace

std::vector<PipelineConfig> expand_sweep(const PipelineConfig& config) {
  const ConfigValue* sweep = config.root().find("sweep");
  if (!sweep) return {config};
  const ConfigValue::Map& axes = sweep->as_map("sweep");
  size_t runs = 1;
  for (const ConfigEntry& e : axes) {
    runs *= e.value.as_list("sweep '" + e.key + "'").size();
    if (runs > kMaxSweepRuns)
      throw config_error(sweep->mark(), "the sweep expands to more than " + std::to_string(kMaxSweepRuns) + " runs");
  }
  const std::vector<std::string> label = labels(axes);
  ConfigValue base = config.root();
  base.erase("sweep");

  std::vector<PipelineConfig> out;
  std::vector<size_t> pick(axes.size(), 0);  // the value index of each axis, last axis fastest
  for (size_t run = 0; run < runs; ++run) {
    ConfigValue root = base;
    std::string setting;
    for (size_t a = 0; a < axes.size(); ++a) {
      const ConfigValue& value = axes[a].value.as_list("sweep")[pick[a]];
      replace_at(root, axes[a].key, axes[a].key_mark, value);
      setting += (a ? "," : "") + label[a] + "=" + value.str();
    }
    root.set("name", sweep->mark(), ConfigValue(config.name() + "[" + setting + "]", sweep->mark()));
    out.push_back(PipelineConfig(std::move(root), config.file()));
    for (size_t a = axes.size(); a-- > 0;) {
      if (++pick[a] < axes[a].value.as_list("sweep").size()) break;
      pick[a] = 0;
    }
  }
  return out;
}

}  // namespace sslflow

