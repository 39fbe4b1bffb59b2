// What the engine tells a graph-node plugin when it sets it up.
#pragma once

#include <cstdint>
#include <string>

#include "sslflow/random.hpp"

namespace sslflow {

struct NodeSetup {
  std::string node_name;  // the pipeline's name for the node, e.g. "backbone"
  uint64_t seed = 0;      // the pipeline's seed
  // Training steps in one epoch, >= 1: the training split's samples over train.batch_size,
  // a last partial batch dropped, as the engine's batches. Step k of a run is in epoch
  // k / steps_per_epoch: a plugin whose schedule counts epochs (DINO's teacher temperature)
  // reads it here. 1 where a node is set up outside a run (a test's MethodRunner).
  int64_t steps_per_epoch = 1;

  // The random stream for this node's initialisation: (seed, "init.<node>", 0).
  Rng init_rng() const { return Rng(seed, "init." + node_name); }
};

}  // namespace sslflow
