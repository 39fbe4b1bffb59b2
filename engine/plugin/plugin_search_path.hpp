// Where the engine looks for plugin libraries, in this order:
//   1. the built-in directory, found relative to the running binary
//      (<dir of sslflow>/../lib/sslflow/plugins, in the build tree and after install alike);
//   2. each directory of the SSLFLOW_PLUGIN_PATH environment variable (colon-separated);
//   3. each --plugin-path DIR given on the command line.
// Nothing else: never the current directory, never a path taken from a pipeline file.
// PluginLoader (sslflow/plugin_loader.hpp) loads the libraries of these directories.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sslflow {

// The built-in plugin directory of the running binary.
std::filesystem::path builtin_plugin_dir();

// The directories searched, in order: `builtin`, then the non-empty entries of
// `env_value` (SSLFLOW_PLUGIN_PATH's syntax), then `cli_dirs`.
std::vector<std::filesystem::path> plugin_search_path(const std::filesystem::path& builtin,
                                                      const std::string& env_value,
                                                      const std::vector<std::string>& cli_dirs);
// The same for this process: builtin_plugin_dir() and the SSLFLOW_PLUGIN_PATH variable.
std::vector<std::filesystem::path> plugin_search_path(const std::vector<std::string>& cli_dirs);

}  // namespace sslflow
