// A hand-written descriptor that the engine must refuse, built once per wrong field:
// SSLFLOW_TEST_ABI_VERSION, SSLFLOW_TEST_COMPILER or SSLFLOW_TEST_SDK_MINOR replaces the
// value SSLFLOW_PLUGIN would write.
#include "fixed_scheduler.hpp"
#include "sslflow/registry.hpp"

#ifndef SSLFLOW_TEST_ABI_VERSION
#define SSLFLOW_TEST_ABI_VERSION ::sslflow::kAbiVersion
#endif
#ifndef SSLFLOW_TEST_COMPILER
#define SSLFLOW_TEST_COMPILER SSLFLOW_COMPILER_ID
#endif
#ifndef SSLFLOW_TEST_SDK_MINOR
#define SSLFLOW_TEST_SDK_MINOR SSLFLOW_VERSION_MINOR
#endif

namespace {
void register_all(sslflow::Registry& registry) {
  registry.add<sslflow::EmaScheduler, sslflow::test::FixedScheduler>("test_refused", "never registered");
}
}  // namespace

extern "C" SSLFLOW_EXPORT const sslflow::PluginDescriptor* sslflow_plugin_descriptor() {
  static const sslflow::PluginDescriptor descriptor{SSLFLOW_TEST_ABI_VERSION,
                                                    SSLFLOW_VERSION_MAJOR,
                                                    SSLFLOW_TEST_SDK_MINOR,
                                                    SSLFLOW_TEST_COMPILER,
                                                    "test-refused",
                                                    "1.0.0",
                                                    &register_all};
  return &descriptor;
}
