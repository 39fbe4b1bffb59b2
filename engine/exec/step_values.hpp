// StepValues: every port's value for one training step, keyed by port_key().
//
// All keys are created before the step runs (declare()); during the step each node writes
// only its own keys and reads its producers', so concurrent nodes never touch the map's
// structure and need no lock.
#pragma once

#include <string>
#include <unordered_map>

#include "sslflow/ports.hpp"

namespace sslflow::engine {

class StepValues {
 public:
  void declare(const std::string& key) { values_.try_emplace(key); }
  Packet& operator[](const std::string& key);
  const Packet& operator[](const std::string& key) const;
  void clear_values();  // drops the tensors, keeps the keys

 private:
  std::unordered_map<std::string, Packet> values_;
};

}  // namespace sslflow::engine
