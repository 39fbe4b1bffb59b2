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
#include <type_traits>
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
  // The plugin's rules between its resolved options, run by `sslflow validate` before
  // anything is built; throws OptionError. Empty when the plugin states none.
  std::function<void(const Params&)> check;
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
  // Registers Impl as a plugin of Interface's kind. Impl derives from Interface and has
  // `static Schema schema()` and a constructor taking `const Params&` (both checked at
  // compile time); graph-node plugins also `static Signature signature()` (or inherit
  // their interface's). An Impl with `static void check(const Params&)` states rules
  // between its options there: validation runs it, and so does the factory, first.
  template <class Interface, class Impl>
  void add(std::string name, std::string description = "") {
    static_assert(std::is_base_of_v<Interface, Impl>, "Registry::add<Interface, Impl>: Impl must derive from Interface");
    static_assert(std::is_constructible_v<Impl, const Params&>,
                  "Registry::add<Interface, Impl>: Impl must have a constructor taking const Params&");
    static_assert(requires { { Impl::schema() } -> std::convertible_to<Schema>; },
                  "Registry::add<Interface, Impl>: Impl must have static Schema schema()");
    PluginInfo info;
    info.kind = Interface::kKind;
    info.name = std::move(name);
    info.description = std::move(description);
    info.schema = Impl::schema();
    if constexpr (requires { Impl::signature(); }) info.signature = Impl::signature();
    if constexpr (requires(const Params& p) { Impl::check(p); }) {
      info.check = [](const Params& p) { Impl::check(p); };
      info.factory = [](const Params& p) -> std::shared_ptr<Plugin> {
        Impl::check(p);
        return std::make_shared<Impl>(p);
      };
    } else {
      info.factory = [](const Params& p) -> std::shared_ptr<Plugin> { return std::make_shared<Impl>(p); };
    }
    add(std::move(info));
  }

  // Adds an entry; a second entry with the same key, a schema that declares an option
  // twice, or a default that breaks its own option's constraint throws PluginError naming
  // the library (both libraries for a duplicate key).
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
