// A plugin library registering the same ema_scheduler/test_fixed as good.cpp.
#include "fixed_scheduler.hpp"
#include "sslflow/registry.hpp"

SSLFLOW_PLUGIN("test-duplicate", "1.0.0") {
  registry.add<sslflow::EmaScheduler, sslflow::test::FixedScheduler>("test_fixed", "the same name again");
}
