// YAML scalars typed by the YAML 1.2 core schema, both ways.
//
// Reading: a plain (unquoted) scalar is null (~, null, empty), bool (true/false), int
// (decimal, 0o octal, 0x hex), float (1.5, 1e-3, .inf, -.inf, .nan) or else a string; a
// quoted scalar is always a string (the caller decides that, from the tag). Writing: the
// text a float needs so that it reads back as the same float.
#pragma once

#include <string>
#include <string_view>

#include "config/config_value.hpp"

namespace sslflow {

enum class ScalarKind { Null, Bool, Int, Float, String };

// What a plain scalar with this text resolves to; no range check.
ScalarKind plain_scalar_kind(std::string_view text);

// The typed value of a plain scalar; an integer outside int64 is a ConfigError at `mark`.
ConfigValue resolve_plain_scalar(const std::string& text, SourceMark mark);

// The shortest text that reads back as exactly `d` and as a float: 0.5, 1.0, 1e-05, .inf, .nan.
std::string float_text(double d);

}  // namespace sslflow
