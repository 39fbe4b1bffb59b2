// Command-line overrides of a pipeline config, a subset of Hydra's grammar:
//
//   key.path=value    set a value; a key the file leaves out is added (it may have a default),
//                     and validation refuses one that no schema declares, with a did-you-mean
//   +key.path=value   add a key that does not exist yet (or append to a list: +eval.2=...)
//   ++key.path=value  add or replace
//   ~key.path         remove a key or a list entry
//
// A value is a YAML scalar or flow collection (lr=1e-3, channels=[16,32],
// optimizer={plugin: adamw, lr: 0.001}); other text is taken as a string. The values
// carry line 0 and the override's text as their mark, and so do the errors.
#pragma once

#include <string>

#include "config/config_value.hpp"

namespace sslflow {

// The mark of everything one override sets: file "override 'TEXT'", line 0.
SourceMark override_mark(const std::string& text);

void apply_override(ConfigValue& root, const std::string& text);

// Sets the value at `path`, which must exist; used by overrides and sweeps alike.
void replace_at(ConfigValue& root, const std::string& path, const SourceMark& at, ConfigValue value);

}  // namespace sslflow
