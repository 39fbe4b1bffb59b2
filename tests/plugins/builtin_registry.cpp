#include "builtin_registry.hpp"

#include <sstream>

#include "plugin/plugin_loader.hpp"

namespace sslflow::testing {

const Registry& builtin_registry() {
  static const Registry registry = [] {
    Registry r;
    std::ostringstream warnings;
    PluginLoader(r, warnings).load_directories({SSLFLOW_BUILD_PLUGIN_DIR});
    return r;
  }();
  return registry;
}

}  // namespace sslflow::testing
