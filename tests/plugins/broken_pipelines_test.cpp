#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include "broken_pipelines.hpp"
#include "builtin_registry.hpp"
#include "config/pipeline_config.hpp"
#include "config/yaml_reader.hpp"
#include "config/yaml_writer.hpp"
#include "graph/validate.hpp"
#include "train/trainer.hpp"

using namespace sslflow;

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What became of the variants of one change class.
struct Outcomes {
  int written = 0;
  int accepted = 0;
  int refused = 0;
  int trained = 0;           // accepted, then one step trained
  int refused_at_run = 0;    // accepted, then refused by run with an sslflow::Error
};

}  // namespace

// Every one-change variant of the shipped pipelines and the command tests' tiny one is
// either a valid pipeline or refused by validation with a ConfigError at a line and column
// of the written file; nothing else escapes, nothing crashes. The tiny pipeline's accepted
// variants (synthetic data) also train a step, or are refused with an sslflow::Error.
TEST_CASE("Pipelines.broken.refused_with_a_position_or_valid", "[plugin][engine]") {
  std::vector<std::filesystem::path> sources{SSLFLOW_SOURCE_DIR "/tests/app/tiny_simsiam.yaml"};
  for (const auto& entry : std::filesystem::directory_iterator(SSLFLOW_SOURCE_DIR "/pipelines"))
    if (entry.path().extension() == ".yaml") sources.push_back(entry.path());
  std::map<std::string, Outcomes> by_class;
  int positioned = 0;
  for (const auto& source : sources) {
    const bool trainable = source.filename() == "tiny_simsiam.yaml";
    const ConfigValue root = read_yaml(read_text(source), source.string());
    for (const testing::BrokenPipeline& broken : testing::broken_variants(root)) {
      const std::string yaml = write_yaml(broken.root);
      INFO(source.filename().string() << ": " << broken.change_class << ": " << broken.change << "\n" << yaml);
      Outcomes& outcomes = by_class[broken.change_class];
      ++outcomes.written;
      std::optional<engine::ValidatedPipeline> pipeline;
      try {
        pipeline = engine::validate(PipelineConfig::parse(yaml, "broken.yaml"), testing::builtin_registry());
      } catch (const ConfigError& e) {
        INFO(e.what());
        ++outcomes.refused;
        CHECK(e.file() == "broken.yaml");
        CHECK(e.line() >= 1);
        positioned += e.line() >= 1;
        continue;
      } catch (const Error& e) {
        FAIL_CHECK("refused without a position: " << e.what());
        continue;
      }
      ++outcomes.accepted;
      if (!trainable) continue;
      pipeline->train.max_steps = 1;
      try {
        engine::train(*pipeline, {});
        ++outcomes.trained;
      } catch (const Error& e) {
        ++outcomes.refused_at_run;
      }
    }
  }
  int written = 0;
  for (const auto& [change_class, o] : by_class) {
    std::cout << "broken pipelines, " << change_class << ": " << o.written << " written, " << o.refused
              << " refused by validate with a position, " << o.accepted << " valid (of the tiny pipeline's, "
              << o.trained << " trained a step, " << o.refused_at_run << " refused by run)\n";
    written += o.written;
  }
  std::cout << "broken pipelines: " << written << " written from " << sources.size() << " pipelines, " << positioned
            << " refused with a position\n";
  CHECK(by_class.size() == 4);
  CHECK(written > 5000);
}
