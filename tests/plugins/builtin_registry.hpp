// The shipped plugin libraries, loaded once from the build tree's plugin directory as the
// sslflow command loads them, for tests of the plugins themselves.
#pragma once

#include "sslflow/registry.hpp"

namespace sslflow::testing {

const Registry& builtin_registry();

// Builds plugin `name` of Interface's kind with `options` (a map; defaults fill the rest).
template <class Interface>
std::shared_ptr<Interface> make_builtin(const std::string& name, const Value& options = Value(Value::Map{})) {
  const Registry& r = builtin_registry();
  const PluginInfo* info = r.find(Interface::kKind, name);
  if (!info) throw Error(std::string("no built-in ") + Interface::kKind + " plugin '" + name + "'");
  return r.create<Interface>(name, Params::resolve(info->key(), info->schema, options));
}

}  // namespace sslflow::testing
