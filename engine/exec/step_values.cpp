#include "exec/step_values.hpp"

#include "sslflow/error.hpp"

namespace sslflow::engine {

Packet& StepValues::operator[](const std::string& key) {
  auto it = values_.find(key);
  SSLFLOW_ASSERT(it != values_.end(), "port '" + key + "' was not declared for the step");
  return it->second;
}

const Packet& StepValues::operator[](const std::string& key) const {
  auto it = values_.find(key);
  SSLFLOW_ASSERT(it != values_.end(), "port '" + key + "' was not declared for the step");
  return it->second;
}

void StepValues::clear_values() {
  for (auto& [_, packet] : values_) packet.values.clear();
}

}  // namespace sslflow::engine
