// Reading a loaded plugin library's descriptor without trusting it.
//
// A descriptor comes from a file anyone can write, so each of its fields is checked before
// it is used, against the segments the dynamic loader mapped for that library:
//   - the exported symbol is a data object (a function is the form of plugin ABI 1) of
//     sizeof(PluginDescriptor) bytes inside one readable segment of the library;
//   - abi_version is read first and must be kAbiVersion; the sdk major.minor must be this
//     sdk's, and cxx_abi this build's SSLFLOW_CXX_ABI (the differing parts are named);
//   - compiler, cxx_abi, name and version each lie in a readable segment of the library,
//     end with a NUL within kMaxDescriptorString bytes and that segment, and are printable
//     ASCII;
//   - register_all points into an executable segment of the library.
// A failed check throws PluginError naming the file and the field.
#pragma once

#include <cstddef>
#include <string>

#include "sslflow/export.hpp"
#include "sslflow/plugin.hpp"

namespace sslflow {

inline constexpr size_t kMaxDescriptorString = 256;

// The checked descriptor exported by `handle` (a dlopen handle of `library`), or nullptr
// when the library exports no descriptor symbol of its own.
const PluginDescriptor* read_descriptor(void* handle, const std::string& library);

// The "; "-separated parts of SSLFLOW_CXX_ABI strings `theirs` and `ours` that differ,
// written "X here, Y in the library", or "" when they are the same. Exported for its tests.
SSLFLOW_EXPORT std::string cxx_abi_difference(const std::string& theirs, const std::string& ours);

}  // namespace sslflow
