#include "sslflow/stop.hpp"

namespace sslflow {

StopRequested::StopRequested() : Error("stop requested") {}

std::atomic<bool>& stop_request() {
  static std::atomic<bool> requested{false};
  return requested;
}

void check_stop() {
  if (stop_request().load(std::memory_order_relaxed)) throw StopRequested();
}

}  // namespace sslflow
