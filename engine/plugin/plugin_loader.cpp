#include "plugin/plugin_loader.hpp"

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <string_view>
#include <system_error>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include "sslflow/error.hpp"
#include "sslflow/plugin.hpp"
#include "sslflow/version.hpp"

namespace sslflow {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kLibraryPrefix = "libsslflow_";
constexpr std::string_view kLibrarySuffix = ".so";

// Every library loaded by any loader. Deliberately never destroyed, so nothing is unloaded,
// not even at exit, while objects whose code lives in a library may still be alive.
std::vector<boost::dll::shared_library>& resident_libraries() {
  static auto* libraries = new std::vector<boost::dll::shared_library>();
  return *libraries;
}

std::string sdk_version(uint32_t major, uint32_t minor) { return std::to_string(major) + "." + std::to_string(minor); }

// Refuses a descriptor this engine cannot use; reads abi_version before any other field,
// since the rest of the layout belongs to that ABI version.
void check_descriptor(const PluginDescriptor* descriptor, const std::string& library) {
  if (!descriptor) throw PluginError(library, std::string(kDescriptorSymbol) + "() returned no descriptor");
  if (descriptor->abi_version != kAbiVersion)
    throw PluginError(library, "built for plugin ABI version " + std::to_string(descriptor->abi_version) +
                                   ", but this sslflow loads ABI version " + std::to_string(kAbiVersion) +
                                   "; rebuild the plugin against this sdk");
  const std::string compiler = descriptor->compiler ? descriptor->compiler : "<none>";
  if (compiler != SSLFLOW_COMPILER_ID)
    throw PluginError(library, "built with compiler '" + compiler + "', but this sslflow was built with '" +
                                   SSLFLOW_COMPILER_ID + "'; rebuild the plugin with the same compiler");
  if (descriptor->sdk_version_major != SSLFLOW_VERSION_MAJOR || descriptor->sdk_version_minor != SSLFLOW_VERSION_MINOR)
    throw PluginError(library,
                      "built against sdk " + sdk_version(descriptor->sdk_version_major, descriptor->sdk_version_minor) +
                          ", but this sslflow's sdk is " + sdk_version(SSLFLOW_VERSION_MAJOR, SSLFLOW_VERSION_MINOR) +
                          "; rebuild the plugin against this sdk");
  if (!descriptor->name || !descriptor->version || !descriptor->register_all)
    throw PluginError(library, "the plugin descriptor lacks its name, version or register_all");
}

// Stamps `library` on what register_all adds, and clears the stamp however it returns.
class CurrentLibrary {
 public:
  CurrentLibrary(Registry& registry, const std::string& path, const std::string& version) : registry_(registry) {
    registry_.set_current_library(path, version);
  }
  ~CurrentLibrary() { registry_.set_current_library("", ""); }
  CurrentLibrary(const CurrentLibrary&) = delete;
  CurrentLibrary& operator=(const CurrentLibrary&) = delete;

 private:
  Registry& registry_;
};

bool is_plugin_library(const fs::directory_entry& entry) {
  const std::string name = entry.path().filename().string();
  return entry.is_regular_file() && name.size() > kLibraryPrefix.size() + kLibrarySuffix.size() &&
         name.starts_with(kLibraryPrefix) && name.ends_with(kLibrarySuffix);
}

}  // namespace

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

std::vector<fs::path> plugin_libraries_in(const fs::path& dir) {
  std::vector<fs::path> libraries;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec))
    if (is_plugin_library(entry)) libraries.push_back(entry.path());
  std::sort(libraries.begin(), libraries.end());
  return libraries;
}

PluginLoader::PluginLoader(Registry& registry, std::ostream& warnings) : registry_(registry), warnings_(warnings) {}

bool PluginLoader::load_library(const fs::path& path) {
  std::error_code ec;
  const fs::path canonical = fs::canonical(path, ec);
  if (ec) throw PluginError(path.string(), "cannot open the plugin library: " + ec.message());
  if (std::find(loaded_.begin(), loaded_.end(), canonical) != loaded_.end()) return false;
  const std::string library = canonical.string();

  boost::dll::shared_library handle;
  try {
    handle.load(library, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw PluginError(library, std::string("cannot load the plugin library: ") + e.what());
  }
  if (!handle.has(kDescriptorSymbol)) {
    const std::string reason = std::string("not an sslflow plugin (no ") + kDescriptorSymbol + " symbol)";
    warnings_ << "sslflow: warning: " << library << ": " << reason << "; skipped\n";
    skipped_.push_back({canonical, reason});
    return false;
  }
  const PluginDescriptor* descriptor = handle.get<const PluginDescriptor*()>(kDescriptorSymbol)();
  check_descriptor(descriptor, library);

  // From here on the registry may hold the library's code, so it stays loaded.
  resident_libraries().push_back(std::move(handle));
  loaded_.push_back(canonical);
  CurrentLibrary stamp(registry_, library, descriptor->version);
  // Whatever register_all throws is copied into an engine-owned PluginError naming the file.
  try {
    descriptor->register_all(registry_);
  } catch (const PluginError& e) {
    if (e.library() == library) throw PluginError(e);  // a duplicate: Registry::add names both files
    throw PluginError(library, std::string("register_all failed: ") + e.what());
  } catch (const std::exception& e) {
    throw PluginError(library, std::string("register_all failed: ") + e.what());
  } catch (...) {
    throw PluginError(library, "register_all failed with an exception that is not a std::exception");
  }
  return true;
}

void PluginLoader::load_directories(const std::vector<fs::path>& dirs) {
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      warnings_ << "sslflow: warning: plugin directory " << dir.string() << " does not exist; skipped\n";
      continue;
    }
    for (const fs::path& library : plugin_libraries_in(dir)) load_library(library);
  }
}

}  // namespace sslflow
