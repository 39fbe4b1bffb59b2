// Helpers shared by the config tests: a small valid pipeline and the error a bad one raises.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "config/pipeline_config.hpp"

namespace sslflow::testing {

// The smallest pipeline the grammar accepts, with one of everything worth overriding.
inline const std::string kSmallPipeline = R"(name: tiny
seed: 0
train: {epochs: 2, optimizer: {plugin: sgd, lr: 0.06}}
data: {plugin: idx, path: /data}
nodes:
  backbone: {plugin: convnet, input: data.image, channels: [8, 16]}
  objective: {plugin: simsiam, inputs: [backbone.0, backbone.1], loss: negative_cosine}
eval:
  - {plugin: knn, k: 20}
)";

// The ConfigError that parsing `yaml` as "p.yaml" with `overrides` raises.
inline ConfigError parse_error(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  try {
    PipelineConfig::parse(yaml, "p.yaml", overrides);
  } catch (const ConfigError& e) {
    return e;
  }
  throw std::runtime_error("parsing succeeded where a ConfigError was expected");
}

}  // namespace sslflow::testing
