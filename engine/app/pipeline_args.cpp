#include "app/pipeline_args.hpp"

#include "config/sweep.hpp"
#include "sslflow/error.hpp"

namespace sslflow {

bool is_override(const std::string& arg) { return arg.find('=') != std::string::npos || arg.starts_with("~"); }

PipelineArgs split_pipeline_args(const std::vector<std::string>& args) {
  PipelineArgs out;
  for (const std::string& a : args) {
    if (a.ends_with(".yaml") || a.ends_with(".yml"))
      out.files.push_back(a);
    else if (is_override(a))
      out.overrides.push_back(a);
    else
      throw Error("'" + a + "' is neither a pipeline file (.yaml, .yml) nor an override (key=value, +key=value, ~key)");
  }
  if (out.files.empty()) throw Error("no pipeline file given");
  return out;
}

std::vector<PipelineConfig> load_pipeline_configs(const PipelineArgs& args) {
  std::vector<PipelineConfig> out;
  for (const std::string& file : args.files)
    for (PipelineConfig& c : expand_sweep(PipelineConfig::load(file, args.overrides))) out.push_back(std::move(c));
  return out;
}

}  // namespace sslflow
