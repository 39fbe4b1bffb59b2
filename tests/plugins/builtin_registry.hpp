// The shipped plugin libraries, loaded once from the build tree's plugin directory through
// the sdk's test runner (sslflow/testing/plugin_runner.hpp), for tests of the plugins.
#pragma once

#include "sslflow/testing/plugin_runner.hpp"

namespace sslflow::testing {

const Plugins& builtin_plugins();
inline const Registry& builtin_registry() { return builtin_plugins().registry(); }

// Builds plugin `name` of Interface's kind with `options` (a map; defaults fill the rest).
template <class Interface>
std::shared_ptr<Interface> make_builtin(const std::string& name, const Value& options = Value(Value::Map{})) {
  return builtin_plugins().create<Interface>(name, options.as_map());
}

}  // namespace sslflow::testing
