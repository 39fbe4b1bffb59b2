// The grammar of a pipeline file, checked before any plugin is looked at.
//
// Top-level keys: name (printable string of 1 to 256 bytes), seed (integer >= 0), train
// (map), data (required map with plugin), nodes (required map of node name -> map), eval
// (list of maps with plugin), sweep (map of key path -> list of values). A node has
// exactly one of `plugin:` (a plugin node) or `ema_of:` a node name (a teacher); node names
// are identifiers other than `data`. What a node takes besides (its options, its inputs
// and their references, a teacher's schedule) is checked against its plugin, in validation
// (graph/validate.hpp). Every violation is a ConfigError at the offending key or value.
#pragma once

#include "config/config_value.hpp"

namespace sslflow {

void check_pipeline(const ConfigValue& root);

}  // namespace sslflow
