#include "exec/step_values.hpp"

namespace sslflow::engine {

void StepValues::clear_values() {
  for (Packet& packet : values_) packet.values.clear();
}

}  // namespace sslflow::engine
