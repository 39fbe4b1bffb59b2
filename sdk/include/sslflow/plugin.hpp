// Plugin libraries: the base class of every plugin object, the descriptor each library
// exports, and the SSLFLOW_PLUGIN macro that writes it.
//
// A plugin library is a MODULE shared object built against the sdk with hidden visibility.
// It exports exactly one C-linkage function, `sslflow_plugin_descriptor`, returning a POD
// descriptor whose first field is the ABI version (GStreamer's descriptor, ggml's
// api_version gate). The engine reads and checks that descriptor before anything else in
// the library runs, then calls register_all(Registry&) once, from one thread. There is no
// static-initializer self-registration. The library stays loaded for the life of the
// process, so objects, functions and exceptions from it never outlive its code.
//
//   SSLFLOW_PLUGIN("cauchy-loss", "1.0.0") {
//     registry.add<sslflow::Loss, Cauchy>("cauchy", "Cauchy robust regression loss");
//   }
#pragma once

#include <cstdint>

#include "sslflow/export.hpp"
#include "sslflow/version.hpp"

namespace sslflow {

class Registry;

// Base of every plugin object (methods, encoders, losses, ...). Its key function lives in
// the sdk library, so dynamic_cast between plugin interfaces works across libraries.
class SSLFLOW_EXPORT Plugin {
 public:
  virtual ~Plugin();
};

// Bumped whenever a change to the sdk breaks binary compatibility with built plugins.
inline constexpr uint32_t kAbiVersion = 1;

// A string identifying the compiler and C++ runtime; C++ classes cross the plugin
// boundary, so a library built with another runtime is refused.
#define SSLFLOW_COMPILER_ID "gcc-libstdc++-" SSLFLOW_STRINGIFY(_GLIBCXX_RELEASE) "-cxx" SSLFLOW_STRINGIFY(__cplusplus)
#define SSLFLOW_STRINGIFY_(x) #x
#define SSLFLOW_STRINGIFY(x) SSLFLOW_STRINGIFY_(x)

extern "C" {
// The descriptor: plain data, ABI version first, so any version of the engine can read it.
struct PluginDescriptor {
  uint32_t abi_version;
  uint32_t sdk_version_major;
  uint32_t sdk_version_minor;
  const char* compiler;
  const char* name;     // the library's name, e.g. "cauchy-loss"
  const char* version;  // the library's own version, e.g. "1.0.0"
  void (*register_all)(Registry& registry);
};
}

// The exported entry point's name.
inline constexpr const char* kDescriptorSymbol = "sslflow_plugin_descriptor";

}  // namespace sslflow

// Defines the library's descriptor and opens the body of its register_all(registry).
#define SSLFLOW_PLUGIN(plugin_name, plugin_version)                                                    \
  static void sslflow_register_all_(::sslflow::Registry& registry);                                    \
  extern "C" SSLFLOW_EXPORT const ::sslflow::PluginDescriptor* sslflow_plugin_descriptor() {          \
    static const ::sslflow::PluginDescriptor descriptor{                                               \
        ::sslflow::kAbiVersion, SSLFLOW_VERSION_MAJOR, SSLFLOW_VERSION_MINOR, SSLFLOW_COMPILER_ID,      \
        plugin_name,           plugin_version,        &sslflow_register_all_};                         \
    return &descriptor;                                                                                \
  }                                                                                                    \
  static void sslflow_register_all_([[maybe_unused]] ::sslflow::Registry& registry)
