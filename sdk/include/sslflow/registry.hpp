// Registry: every plugin the engine knows, keyed by "kind/name" ("loss/cauchy").
//
// A plugin library's register_all() adds its plugins here; each entry holds the kind, the
// name, a one-line description, the options schema (declared before anything is
// constructed) and a factory. The engine fills in which library an entry came from, so a
// duplicate key is reported with both files.
//
// Threading: filled from one thread at start-up; after that it is only read, from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sslflow/export.hpp"
#include "sslflow/params.hpp"
#include "sslflow/plugin.hpp"
#include "sslflow/ports.hpp"

namespace sslflow {

struct PluginInfo {
  std::string kind;
  std::string name;
  std::string description;
  Schema schema;
  Signature signature;  // the ports of a graph-node plugin; empty for other kinds
  std::function<std::shared_ptr<Plugin>(const Params&)> factory;
  std::string library;          // path of the library it came from ("" when built in)
  std::string library_version;  // the library's own version

  std::string key() const { return kind + "/" + name; }
};

// A plugin library that was found but not used, and why (the reason does not repeat the path).
struct RefusedLibrary {
  std::string library;
  std::string reason;
};

class SSLFLOW_EXPORT Registry {
 public:
  // Registers Impl as a plugin of Interface's kind. Impl has `static Schema schema()` and
  // a constructor taking `const Params&`; graph-node plugins also `static Signature
  // signature()` (or inherit their interface's).
  template <class Interface, class Impl>
  void add(std::string name, std::string description = "") {
    PluginInfo info;
    info.kind = Interface::kKind;
    info.name = std::move(name);
    info.description = std::move(description);
    info.schema = Impl::schema();
    if constexpr (requires { Impl::signature(); }) info.signature = Impl::signature();
    info.factory = [](const Params& p) -> std::shared_ptr<Plugin> { return std::make_shared<Impl>(p); };
    add(std::move(info));
  }

  // Adds an entry; a second entry with the same key throws PluginError naming both libraries.
  void add(PluginInfo info);

  // The library whose register_all() is running; stamped on entries added meanwhile.
  void set_current_library(std::string path, std::string version);

  // Records a refused library: `sslflow plugins` lists it, and a pipeline that names a
  // plugin nobody registered is told about it, since the plugin may have been in it.
  void add_refused(RefusedLibrary refused);
  const std::vector<RefusedLibrary>& refused() const { return refused_; }

  const PluginInfo* find(const std::string& kind, const std::string& name) const;
  // Every entry of `kind` (all kinds when empty), sorted by key.
  std::vector<const PluginInfo*> list(const std::string& kind = "") const;
  // Names registered under `kind`, for did-you-mean hints.
  std::vector<std::string> names(const std::string& kind) const;

  // Builds a plugin; throws PluginError for an unknown kind/name (with near names).
  std::shared_ptr<Plugin> create(const std::string& kind, const std::string& name, const Params& params) const;
  template <class Interface>
  std::shared_ptr<Interface> create(const std::string& name, const Params& params) const {
    return std::dynamic_pointer_cast<Interface>(create(Interface::kKind, name, params));
  }

 private:
  std::vector<PluginInfo> entries_;
  std::vector<RefusedLibrary> refused_;
  std::string current_library_;
  std::string current_version_;
};

}  // namespace sslflow
