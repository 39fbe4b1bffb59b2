// The machine's memory, for code that must refuse a size before it allocates it.
//
// A reader that learns from a file's header how much it is about to hold, or a plugin
// whose options fix the size of what it builds, compares that size with these figures and
// throws an error naming the file or the option, instead of failing inside the allocator.
#pragma once

#include <cstdint>
#include <string>

#include "sslflow/export.hpp"

namespace sslflow {

// The machine's physical memory in bytes: nothing allocated can be larger.
SSLFLOW_EXPORT uint64_t physical_memory_bytes();

// The memory the kernel could give now without swapping (Linux's MemAvailable), in bytes;
// 0 when it is unknown.
SSLFLOW_EXPORT uint64_t available_memory_bytes();

// `bytes` in GiB with one decimal: "3.2 GiB".
SSLFLOW_EXPORT std::string gib_text(double bytes);

}  // namespace sslflow
