// PipelineConfig: phase one of three (config -> validated pipeline -> executor).
//
// A pipeline file parsed with every value's file, line and column kept, command-line
// overrides applied in order (see overrides.hpp), and the file's grammar checked (see
// pipeline_schema.hpp). Plugins and their options are not looked at yet. Every failure is
// a sslflow::ConfigError saying where and what was expected. Later phases report their own
// findings at a value's mark with fail().
//
// Threading: immutable once built; safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config_value.hpp"

namespace sslflow {

class PipelineConfig {
 public:
  static PipelineConfig load(const std::string& path, const std::vector<std::string>& overrides = {});
  static PipelineConfig parse(std::string_view text, std::string file_name,
                              const std::vector<std::string>& overrides = {});

  const ConfigValue& root() const { return root_; }
  const std::string& file() const { return file_; }
  // The `name:` key, or else the file name without directory and extension.
  std::string name() const;
  // The resolved config as YAML that parses back to the same tree, under a header comment.
  std::string to_yaml() const;

  // Throws a ConfigError at `at`'s mark.
  [[noreturn]] static void fail(const ConfigValue& at, const std::string& message);

 private:
  PipelineConfig(ConfigValue root, std::string file);

  friend std::vector<PipelineConfig> expand_sweep(const PipelineConfig& config);

  ConfigValue root_;
  std::string file_;
};

}  // namespace sslflow
