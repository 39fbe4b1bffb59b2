#include <iostream>

#include "app/commands.hpp"
#include "plugin/plugin_search_path.hpp"

namespace sslflow {

LoadedPlugins load_plugins(const GlobalOptions& global) {
  LoadedPlugins loaded;
  loaded.search_path = plugin_search_path(global.plugin_paths);
  PluginLoader loader(loaded.registry, std::cerr);
  loader.load_directories(loaded.search_path);
  loaded.libraries = loader.loaded();
  loaded.skipped = loader.skipped();
  return loaded;
}

}  // namespace sslflow
