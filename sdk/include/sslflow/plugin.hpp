// Plugin libraries: the base class of every plugin object, the descriptor each library
// exports, and the SSLFLOW_PLUGIN macro that writes it.
//
// A plugin library is a MODULE shared object built against the sdk with hidden visibility.
// It exports exactly one C-linkage symbol, `sslflow_plugin_descriptor`: a constant
// PluginDescriptor, plain data whose first field is the ABI version (GStreamer's
// descriptor, ggml's api_version gate), so the engine reads it without calling anything in
// the library.
//
// What the engine checks, and when:
//   1. before dlopen, the file: its ELF header (this machine's class, byte order and
//      architecture, a shared object) and that every loadable segment lies inside the file;
//   2. dlopen then maps the library and runs its static initialisers, and those of the
//      libraries it links. Nothing checks them first; so a plugin library keeps them
//      trivial, and registers its plugins only from register_all;
//   3. before reading any field, the descriptor: a data object of sizeof(PluginDescriptor)
//      bytes inside a readable segment of this library; then abi_version, sdk version and
//      cxx_abi; each string lies in a readable segment of the library, ends within it
//      and is printable; register_all points into an executable segment of the library;
//   4. only then register_all(Registry&), once, from one thread.
// A library that fails a check is refused, naming the file and the reason, and the other
// libraries still load. The library stays loaded for the life of the process, so objects,
// functions and exceptions from it never outlive its code.
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
// Version 1 exported the descriptor through a function; version 2 exports it as data;
// version 4: Var::backward takes BackwardOptions, nn::Mlp is a Sequential; version 5 is
// sdk 0.2's (InputShapes and MethodInputs are PortLists, ports.hpp); version 6: NodeSetup
// has steps_per_epoch, Module has the before-step hook begin_step().
inline constexpr uint32_t kAbiVersion = 6;

#define SSLFLOW_STRINGIFY_(x) #x
#define SSLFLOW_STRINGIFY(x) SSLFLOW_STRINGIFY_(x)

// The compiler that built the library, shown in messages but not checked: GCC and Clang
// share the Itanium C++ ABI and both build against libstdc++, and GCC supports mixing
// objects built with different -std= by the same release, which SSLFLOW_CXX_ABI pins.
#if defined(__clang__)
#define SSLFLOW_COMPILER \
  "clang " SSLFLOW_STRINGIFY(__clang_major__) "." SSLFLOW_STRINGIFY(__clang_minor__) "." SSLFLOW_STRINGIFY(__clang_patchlevel__)
#elif defined(__GNUC__)
#define SSLFLOW_COMPILER "gcc " SSLFLOW_STRINGIFY(__GNUC__) "." SSLFLOW_STRINGIFY(__GNUC_MINOR__) "." SSLFLOW_STRINGIFY(__GNUC_PATCHLEVEL__)
#else
#define SSLFLOW_COMPILER "unknown"
#endif

// What fixes the ABI of the C++ classes that cross the plugin boundary (std::string,
// std::vector, std::function, ...): the C++ runtime, its major release, and libstdc++'s
// string/list ABI. Parts are separated by "; "; a library whose parts differ is refused
// with the differing parts named.
#if defined(_GLIBCXX_RELEASE)
#define SSLFLOW_CXX_ABI \
  "libstdc++ " SSLFLOW_STRINGIFY(_GLIBCXX_RELEASE) "; _GLIBCXX_USE_CXX11_ABI=" SSLFLOW_STRINGIFY(_GLIBCXX_USE_CXX11_ABI)
#elif defined(_LIBCPP_VERSION)
#define SSLFLOW_CXX_ABI "libc++ " SSLFLOW_STRINGIFY(_LIBCPP_VERSION) "; _LIBCPP_ABI_VERSION=" SSLFLOW_STRINGIFY(_LIBCPP_ABI_VERSION)
#else
#error "sslflow plugins are built with libstdc++ or libc++"
#endif

extern "C" {
// The descriptor: plain data, ABI version first, so any version of the engine can read it.
struct PluginDescriptor {
  uint32_t abi_version;
  uint32_t sdk_version_major;
  uint32_t sdk_version_minor;
  const char* compiler;  // SSLFLOW_COMPILER, shown in messages
  const char* cxx_abi;   // SSLFLOW_CXX_ABI, checked
  const char* name;      // the library's name, e.g. "cauchy-loss"
  const char* version;   // the library's own version, e.g. "1.0.0"
  void (*register_all)(Registry& registry);
};
}

// The exported descriptor's name.
inline constexpr const char* kDescriptorSymbol = "sslflow_plugin_descriptor";

}  // namespace sslflow

// Defines the library's descriptor and opens the body of its register_all(registry).
#define SSLFLOW_PLUGIN(plugin_name, plugin_version)                                                          \
  static void sslflow_register_all_(::sslflow::Registry& registry);                                          \
  extern "C" SSLFLOW_EXPORT const ::sslflow::PluginDescriptor sslflow_plugin_descriptor{                     \
      ::sslflow::kAbiVersion, SSLFLOW_VERSION_MAJOR, SSLFLOW_VERSION_MINOR, SSLFLOW_COMPILER, SSLFLOW_CXX_ABI, \
      plugin_name,           plugin_version,        &sslflow_register_all_};                                 \
  static void sslflow_register_all_([[maybe_unused]] ::sslflow::Registry& registry)
