#include "plugin/plugin_search_path.hpp"

#include <cstdlib>
#include <system_error>

#include <boost/dll/runtime_symbol_info.hpp>

namespace sslflow {

namespace fs = std::filesystem;

fs::path builtin_plugin_dir() {
  const fs::path binary = boost::dll::program_location().string();
  return (binary.parent_path() / SSLFLOW_PLUGIN_RELATIVE_DIR).lexically_normal();
}

std::vector<fs::path> plugin_search_path(const fs::path& builtin, const std::string& env_value,
                                         const std::vector<std::string>& cli_dirs) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  if (fs::is_directory(builtin, ec)) dirs.push_back(builtin);
  // An empty entry would mean the current directory to a shell; here it means nothing.
  size_t start = 0;
  while (start <= env_value.size()) {
    size_t end = env_value.find(':', start);
    if (end == std::string::npos) end = env_value.size();
    if (end > start) dirs.emplace_back(env_value.substr(start, end - start));
    start = end + 1;
  }
  for (const std::string& dir : cli_dirs)
    if (!dir.empty()) dirs.emplace_back(dir);
  return dirs;
}

std::vector<fs::path> plugin_search_path(const std::vector<std::string>& cli_dirs) {
  const char* env_value = std::getenv("SSLFLOW_PLUGIN_PATH");
  return plugin_search_path(builtin_plugin_dir(), env_value ? env_value : "", cli_dirs);
}

}  // namespace sslflow
