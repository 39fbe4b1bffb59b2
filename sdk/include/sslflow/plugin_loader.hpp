// Plugin loading: finds plugin libraries, checks each one's descriptor and registers its
// plugins.
//
// In each directory it is given, the loader loads the files named libsslflow_*.so in name
// order. The caller chooses the directories: the sslflow command searches its built-in
// directory, SSLFLOW_PLUGIN_PATH and --plugin-path; a plugin's own tests name theirs
// (sslflow/testing/plugin_runner.hpp).
//
// Each library is checked before any of its plugins is registered: its file before dlopen
// (check_elf_file), then its descriptor (read_descriptor). A library that fails a check, or
// that dlopen cannot load, is refused: a warning names the file and the reason, the
// registry records it (Registry::refused), and loading goes on with the next library. A
// library without a descriptor is reported and skipped. A library found twice (the same
// file reached through two directories) is considered once. A second library registering
// the same kind/name, or a register_all that throws, is a PluginError naming the file.
//
// Threading and lifetime: load from one thread, at start-up, before anything runs. Every
// loaded library stays loaded for the life of the process, so no plugin object, function
// or exception can outlive its code.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "sslflow/export.hpp"
#include "sslflow/registry.hpp"

namespace sslflow {

// The plugin libraries (libsslflow_*.so) directly inside `dir`, sorted by name; empty when
// `dir` does not exist.
SSLFLOW_EXPORT std::vector<std::filesystem::path> plugin_libraries_in(const std::filesystem::path& dir);

// A library that was passed over, and why.
struct SkippedLibrary {
  std::filesystem::path path;
  std::string reason;
};

class SSLFLOW_EXPORT PluginLoader {
 public:
  // Plugins are added to `registry`; warnings (skipped libraries, missing directories) go
  // to `warnings`, one line each.
  PluginLoader(Registry& registry, std::ostream& warnings);

  // Loads one library and registers its plugins. Returns false when it was refused, skipped
  // (no descriptor) or already seen; throws PluginError when the file does not exist or
  // register_all fails.
  bool load_library(const std::filesystem::path& path);
  // Loads every plugin library of each directory, in order.
  void load_directories(const std::vector<std::filesystem::path>& dirs);

  const std::vector<std::filesystem::path>& loaded() const { return loaded_; }
  const std::vector<SkippedLibrary>& skipped() const { return skipped_; }

 private:
  Registry& registry_;
  std::ostream& warnings_;
  std::vector<std::filesystem::path> loaded_;  // canonical paths
  std::vector<SkippedLibrary> skipped_;
  std::vector<std::filesystem::path> refused_;  // canonical paths; reasons are in the registry
};

}  // namespace sslflow
