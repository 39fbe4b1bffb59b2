// A library in the form of plugin ABI version 1: the descriptor returned by a function.
#include "fixed_scheduler.hpp"
#include "sslflow/registry.hpp"

namespace {
void register_all(sslflow::Registry& registry) {
  registry.add<sslflow::EmaScheduler, sslflow::test::FixedScheduler>("test_refused", "never registered");
}
}  // namespace

extern "C" SSLFLOW_EXPORT const sslflow::PluginDescriptor* sslflow_plugin_descriptor() {
  static const sslflow::PluginDescriptor descriptor{1, SSLFLOW_VERSION_MAJOR, SSLFLOW_VERSION_MINOR, SSLFLOW_COMPILER,
                                                    SSLFLOW_CXX_ABI, "test-refused", "1.0.0", &register_all};
  return &descriptor;
}
