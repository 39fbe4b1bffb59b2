// Atomic file replacement: a reader of `path` sees either the old file or the complete new
// one, never a partial write, even across a crash or power loss.
//
// The content goes to a fresh temporary file in the same directory as `path` (same file
// system, so rename is atomic), which is fsync'ed, renamed over `path`, and then the
// directory is fsync'ed so the rename itself is durable. If `write` throws or any step
// fails, the temporary file is removed and `path` is left untouched.
//
// Errors: FormatError naming the path and the failing step (with the system's reason);
// exceptions thrown by `write` propagate unchanged.
//
// Threading: concurrent calls for distinct paths are safe; concurrent calls for one path
// leave one of the complete contents in place.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "sslflow/export.hpp"

namespace sslflow::io {

SSLFLOW_EXPORT void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace sslflow::io
