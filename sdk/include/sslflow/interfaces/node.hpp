// What the engine tells a graph-node plugin when it sets it up.
#pragma once

#include <cstdint>
#include <string>

#include "sslflow/random.hpp"

namespace sslflow {

struct NodeSetup {
  std::string node_name;  // the pipeline's name for the node, e.g. "backbone"
  uint64_t seed = 0;      // the pipeline's seed

  // The random stream for this node's initialisation: (seed, "init.<node>", 0).
  Rng init_rng() const { return Rng(seed, "init." + node_name); }
};

}  // namespace sslflow
