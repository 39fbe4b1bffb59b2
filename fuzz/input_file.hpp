// The fuzz input written to a file of its own, for readers that take a path: one file per
// process, rewritten for every input and removed at exit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sslflow::fuzz {

// Writes `data` to this process's file named with `suffix` and returns its path.
const std::string& write_input(const uint8_t* data, size_t size, const std::string& suffix);

}  // namespace sslflow::fuzz
