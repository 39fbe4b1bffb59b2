// Writes a ConfigValue back as YAML that reads back as the same tree.
//
// Maps and lists of collections are written in block style, lists of scalars in flow
// style ([16, 32]); strings that would read back as another type ("true", "1", "") are
// quoted; floats keep enough digits to read back exactly. Marks are not written.
#pragma once

#include <string>

#include "config/config_value.hpp"

namespace sslflow {

std::string write_yaml(const ConfigValue& value);

}  // namespace sslflow
