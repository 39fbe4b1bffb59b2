// A hand-written descriptor claiming plugin ABI version 999, which no engine loads.
#include "fixed_scheduler.hpp"
#include "sslflow/registry.hpp"

namespace {
void register_all(sslflow::Registry& registry) {
  registry.add<sslflow::EmaScheduler, sslflow::test::FixedScheduler>("test_abi999", "never registered");
}
}  // namespace

extern "C" SSLFLOW_EXPORT const sslflow::PluginDescriptor* sslflow_plugin_descriptor() {
  static const sslflow::PluginDescriptor descriptor{
      999, SSLFLOW_VERSION_MAJOR, SSLFLOW_VERSION_MINOR, SSLFLOW_COMPILER_ID, "test-abi999", "1.0.0", &register_all};
  return &descriptor;
}
