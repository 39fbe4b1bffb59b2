// Reads YAML text into a ConfigValue, keeping every value's line and column.
//
// Stricter than YAML itself, to catch mistakes and hostile input early, each a ConfigError
// at the offending place: a duplicate map key (at its second occurrence), a key that is not
// plain text, a tag other than the core schema's, more than one document, nesting deeper
// than kMaxConfigDepth levels, and more than kMaxConfigValues values once aliases are
// expanded (an "alias bomb" fails here instead of filling memory). Parse errors keep
// yaml-cpp's mark.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "config/config_value.hpp"

namespace sslflow {

inline constexpr int kMaxConfigDepth = 64;
inline constexpr size_t kMaxConfigValues = 100'000;

// The one document in `text`, marked with `file`; empty text gives null.
ConfigValue read_yaml(std::string_view text, const std::string& file);

// A value typed on the command line: every node, and every error, is marked with `origin`.
ConfigValue read_yaml_value(std::string_view text, const SourceMark& origin);

}  // namespace sslflow
