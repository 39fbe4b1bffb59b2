#include "sslflow/registry.hpp"

#include <algorithm>

#include "sslflow/error.hpp"

namespace sslflow {

Plugin::~Plugin() = default;

void Registry::add(PluginInfo info) {
  if (info.library.empty()) {
    info.library = current_library_;
    info.library_version = current_version_;
  }
  if (const PluginInfo* existing = find(info.kind, info.name)) {
    auto where = [](const std::string& lib) { return lib.empty() ? std::string("<built in>") : lib; };
    throw PluginError(where(info.library), "plugin '" + info.key() + "' is already registered by " +
                                               where(existing->library) + "; remove one of the two libraries");
  }
  entries_.push_back(std::move(info));
}

void Registry::set_current_library(std::string path, std::string version) {
  current_library_ = std::move(path);
  current_version_ = std::move(version);
}

void Registry::add_refused(RefusedLibrary refused) { refused_.push_back(std::move(refused)); }

const PluginInfo* Registry::find(const std::string& kind, const std::string& name) const {
  for (const PluginInfo& e : entries_)
    if (e.kind == kind && e.name == name) return &e;
  return nullptr;
}

std::vector<const PluginInfo*> Registry::list(const std::string& kind) const {
  std::vector<const PluginInfo*> out;
  for (const PluginInfo& e : entries_)
    if (kind.empty() || e.kind == kind) out.push_back(&e);
  std::sort(out.begin(), out.end(), [](const PluginInfo* a, const PluginInfo* b) { return a->key() < b->key(); });
  return out;
}

std::vector<std::string> Registry::names(const std::string& kind) const {
  std::vector<std::string> out;
  for (const PluginInfo* e : list(kind)) out.push_back(e->name);
  return out;
}

std::shared_ptr<Plugin> Registry::create(const std::string& kind, const std::string& name,
                                         const Params& params) const {
  const PluginInfo* info = find(kind, name);
  if (!info) throw PluginError("<registry>", "no " + kind + " plugin named '" + name + "'" + did_you_mean(name, names(kind)));
  return info->factory(params);
}

}  // namespace sslflow
