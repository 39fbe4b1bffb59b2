// SetupPass: what flows through a pipeline's graph while its nodes are set up, producers
// first (LiveNodes::setup): the per-sample shape of every port that carries a value, and,
// for the encoders' forward of two samples, a value of two samples on each of them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "exec/step_values.hpp"
#include "graph/port_table.hpp"
#include "sslflow/interfaces/node.hpp"
#include "sslflow/tensor.hpp"

namespace sslflow::engine {

class SetupPass {
 public:
  static constexpr int64_t kDryBatch = 2;

  SetupPass(const PortTable& ports, uint64_t seed, int64_t steps_per_epoch, bool load_weights);

  const PortTable& ports() const { return ports_; }
  uint64_t seed() const { return seed_; }
  // What the node `name` (its random stream's name) is told at setup.
  NodeSetup node_setup(const std::string& name) const { return {name, seed_, steps_per_epoch_}; }
  // False in the shape pass of `sslflow validate`: nodes leave their `load:` files alone.
  bool load_weights() const { return load_weights_; }

  // Port `id` carries samples of shape `sample`; its two-sample value is zeros.
  void provide(PortId id, const Shape& sample);
  // Port `id` carries what a node's forward of two samples wrote there (one shape per
  // block of a Blocks packet); a port left empty carries nothing.
  void record(PortId id);
  // The per-sample shapes on `id`; GraphError naming the port when it carries nothing.
  const std::vector<Shape>& shapes(PortId id) const;
  StepValues& dry_values() { return dry_; }

 private:
  const PortTable& ports_;
  uint64_t seed_;
  int64_t steps_per_epoch_;
  bool load_weights_;
  std::vector<std::vector<Shape>> shapes_;  // by PortId
  StepValues dry_;
};

}  // namespace sslflow::engine
