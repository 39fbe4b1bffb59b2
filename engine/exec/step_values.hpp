// StepValues: every port's value for one training step, indexed by PortId
// (graph/port_table.hpp).
//
// The vector holds a slot for every port before the step runs; during the step each node
// writes only its own slots and reads its producers', so concurrent nodes never touch the
// same slot and need no lock.
#pragma once

#include <vector>

#include "graph/port_table.hpp"
#include "sslflow/ports.hpp"

namespace sslflow::engine {

class StepValues {
 public:
  explicit StepValues(const PortTable& ports) : values_(ports.size()) {}

  Packet& operator[](PortId id) { return values_.at(id); }
  const Packet& operator[](PortId id) const { return values_.at(id); }
  void clear_values();  // drops the tensors, keeps the slots

 private:
  std::vector<Packet> values_;
};

}  // namespace sslflow::engine
