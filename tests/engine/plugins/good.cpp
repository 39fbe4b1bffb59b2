// A well-formed plugin library registering ema_scheduler/test_fixed.
#include "fixed_scheduler.hpp"
#include "sslflow/registry.hpp"

SSLFLOW_PLUGIN("test-good", "2.3.4") {
  registry.add<sslflow::EmaScheduler, sslflow::test::FixedScheduler>("test_fixed", "a fixed momentum");
}
