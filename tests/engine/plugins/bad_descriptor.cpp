// A hand-written descriptor that the engine must refuse, built once per wrong field: each
// build defines one SSLFLOW_TEST_* macro, replacing the value SSLFLOW_PLUGIN would write.
//   SSLFLOW_TEST_ABI_VERSION, SSLFLOW_TEST_SDK_MINOR: that value;
//   SSLFLOW_TEST_OTHER_CXX_ABI: another libstdc++ release and string ABI;
//   SSLFLOW_TEST_UNPRINTABLE_COMPILER: a compiler string with a terminal escape code;
//   SSLFLOW_TEST_WILD_COMPILER: a compiler pointer to no mapped memory;
//   SSLFLOW_TEST_REGISTER_ALL_IN_DATA: register_all pointing at data.
#include <cstdint>

#include "fixed_scheduler.hpp"
#include "sslflow/registry.hpp"

#ifndef SSLFLOW_TEST_ABI_VERSION
#define SSLFLOW_TEST_ABI_VERSION ::sslflow::kAbiVersion
#endif
#ifndef SSLFLOW_TEST_SDK_MINOR
#define SSLFLOW_TEST_SDK_MINOR SSLFLOW_VERSION_MINOR
#endif
#ifdef SSLFLOW_TEST_OTHER_CXX_ABI
#define SSLFLOW_TEST_CXX_ABI "libstdc++ 99; _GLIBCXX_USE_CXX11_ABI=0"
#else
#define SSLFLOW_TEST_CXX_ABI SSLFLOW_CXX_ABI
#endif

namespace {

[[maybe_unused]] void register_all(sslflow::Registry& registry) {
  registry.add<sslflow::EmaScheduler, sslflow::test::FixedScheduler>("test_refused", "never registered");
}

#if defined(SSLFLOW_TEST_UNPRINTABLE_COMPILER)
const char* const compiler = "gcc \x1b[2J";
#elif defined(SSLFLOW_TEST_WILD_COMPILER)
const char* const compiler = reinterpret_cast<const char*>(uintptr_t{16});
#else
const char* const compiler = SSLFLOW_COMPILER;
#endif

#if defined(SSLFLOW_TEST_REGISTER_ALL_IN_DATA)
const char not_code[16] = "not code";
void (*const entry)(sslflow::Registry&) = reinterpret_cast<void (*)(sslflow::Registry&)>(not_code);
#else
void (*const entry)(sslflow::Registry&) = &register_all;
#endif

}  // namespace

extern "C" SSLFLOW_EXPORT const sslflow::PluginDescriptor sslflow_plugin_descriptor{
    SSLFLOW_TEST_ABI_VERSION, SSLFLOW_VERSION_MAJOR, SSLFLOW_TEST_SDK_MINOR, compiler, SSLFLOW_TEST_CXX_ABI,
    "test-refused",           "1.0.0",               entry};
