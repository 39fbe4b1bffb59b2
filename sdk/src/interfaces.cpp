// Key functions of the plugin interfaces: their type information lives in the sdk library.
#include "sslflow/interfaces/ema_scheduler.hpp"
#include "sslflow/interfaces/loss.hpp"

namespace sslflow {

Loss::~Loss() = default;
EmaScheduler::~EmaScheduler() = default;

}  // namespace sslflow
