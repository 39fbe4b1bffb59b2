#include "sslflow/plugin_loader.hpp"

#include <algorithm>
#include <ostream>
#include <string_view>
#include <system_error>

#include <dlfcn.h>

#include "plugin/descriptor_check.hpp"
#include "plugin/elf_check.hpp"
#include "sslflow/error.hpp"
#include "sslflow/plugin.hpp"

namespace sslflow {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kLibraryPrefix = "libsslflow_";
constexpr std::string_view kLibrarySuffix = ".so";

// A library handle is never closed, not even at exit: objects whose code lives in a library
// may outlive any loader, and a refused library's static initialisers have already run.
void* open_library(const std::string& library) {
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw PluginError(library, std::string("cannot load the plugin library: ") + (why ? why : "dlopen failed"));
  }
  return handle;
}

// What `e` says about its library, without the path it starts with.
std::string reason_of(const PluginError& e) {
  const std::string what = e.what();
  const std::string prefix = e.library() + ": ";
  return what.starts_with(prefix) ? what.substr(prefix.size()) : what;
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
  for (const std::vector<fs::path>* seen : {&loaded_, &refused_})
    if (std::find(seen->begin(), seen->end(), canonical) != seen->end()) return false;
  const std::string library = canonical.string();

  const PluginDescriptor* descriptor = nullptr;
  try {
    check_elf_file(canonical);
    descriptor = read_descriptor(open_library(library), library);
  } catch (const PluginError& e) {
    const std::string reason = reason_of(e);
    warnings_ << "sslflow: warning: " << library << ": " << reason << "; refused\n";
    refused_.push_back(canonical);
    registry_.add_refused({library, reason});
    return false;
  }
  if (!descriptor) {
    const std::string reason = std::string("not an sslflow plugin (no ") + kDescriptorSymbol + " symbol)";
    warnings_ << "sslflow: warning: " << library << ": " << reason << "; skipped\n";
    skipped_.push_back({canonical, reason});
    return false;
  }

  // From here on the registry may hold the library's code.
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
