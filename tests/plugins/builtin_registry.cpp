#include "builtin_registry.hpp"

namespace sslflow::testing {

const Plugins& builtin_plugins() {
  static const Plugins plugins({SSLFLOW_BUILD_PLUGIN_DIR});
  return plugins;
}

}  // namespace sslflow::testing
