#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "builtin_registry.hpp"
#include "config/pipeline_config.hpp"
#include "exec/shape_check.hpp"
#include "graph/validate.hpp"

using namespace sslflow;

// Every shipped pipeline validates against the shipped plugins, as `sslflow validate` checks
// it: plugins and options known, ports wired and typed, the graph acyclic, and the shapes
// of Fashion-MNIST's images through every node.
TEST_CASE("Pipelines.shipped.validate", "[plugin][engine]") {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SSLFLOW_SOURCE_DIR "/pipelines")) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string path = entry.path().string();
    INFO(path);
    CHECK_NOTHROW(engine::check_shapes(engine::validate(PipelineConfig::load(path), testing::builtin_registry())));
    ++count;
  }
  CHECK(count >= 7);  // simsiam (ConvNet, MLP), simclr, data2vec (ViT, tokens), distill, vq
}
