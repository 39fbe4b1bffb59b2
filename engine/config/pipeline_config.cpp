#include "config/pipeline_config.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/overrides.hpp"
#include "config/pipeline_schema.hpp"
#include "config/yaml_reader.hpp"
#include "config/yaml_writer.hpp"

namespace sslflow {

PipelineConfig::PipelineConfig(ConfigValue root, std::string file) : root_(std::move(root)), file_(std::move(file)) {
  check_pipeline(root_);
}

PipelineConfig PipelineConfig::load(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, 0, 0, "cannot open the pipeline file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path, 0, 0, "cannot read the pipeline file");
  return parse(text.str(), path, overrides);
}

PipelineConfig PipelineConfig::parse(std::string_view text, std::string file_name,
                                     const std::vector<std::string>& overrides) {
  ConfigValue root = read_yaml(text, file_name);
  root.as_map("a pipeline file");
  for (const std::string& o : overrides) apply_override(root, o);
  return PipelineConfig(std::move(root), std::move(file_name));
}

std::string PipelineConfig::name() const {
  if (const ConfigValue* name = root_.find("name")) return name->as_string("name");
  return std::filesystem::path(file_).stem().string();
}

std::string PipelineConfig::to_yaml() const {
  std::string source = file_;
  for (char& c : source)
    if (c == '\n' || c == '\r') c = ' ';
  return "# pipeline " + name() + ", resolved by sslflow from " + source + "\n" + write_yaml(root_);
}

void PipelineConfig::fail(const ConfigValue& at, const std::string& message) { throw config_error(at.mark(), message); }

}  // namespace sslflow
