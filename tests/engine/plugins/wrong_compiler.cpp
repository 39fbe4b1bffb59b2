// A hand-written descriptor naming another compiler and C++ runtime.
#include "fixed_scheduler.hpp"
#include "sslflow/registry.hpp"

namespace {
void register_all(sslflow::Registry& registry) {
  registry.add<sslflow::EmaScheduler, sslflow::test::FixedScheduler>("test_wrong_compiler", "never registered");
}
}  // namespace

extern "C" SSLFLOW_EXPORT const sslflow::PluginDescriptor* sslflow_plugin_descriptor() {
  static const sslflow::PluginDescriptor descriptor{sslflow::kAbiVersion, SSLFLOW_VERSION_MAJOR, SSLFLOW_VERSION_MINOR,
                                                    "msvc-19.38",          "test-wrong-compiler",  "1.0.0",
                                                    &register_all};
  return &descriptor;
}
