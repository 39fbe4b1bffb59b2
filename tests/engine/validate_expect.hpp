// Helpers shared by the validation tests: validate a pipeline text against the toy
// plugins, and assert the ConfigError a broken one raises.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "toy_plugins.hpp"

namespace sslflow::testing {

inline engine::ValidatedPipeline validate_text(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  return engine::validate(PipelineConfig::parse(yaml, "p.yaml", overrides), toy_registry());
}

// Asserts that validating `yaml` fails with a ConfigError at line:column whose message
// contains `text`.
inline void require_error_at(const std::string& yaml, int line, int column, const std::string& text) {
  try {
    validate_text(yaml);
    FAIL("no error for:\n" << yaml);
  } catch (const ConfigError& e) {
    INFO(e.what());
    CHECK(e.file() == "p.yaml");
    CHECK(e.line() == line);
    CHECK(e.column() == column);
    CHECK_THAT(e.what(), Catch::Contains(text));
  }
}

}  // namespace sslflow::testing
