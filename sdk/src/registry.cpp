#include "sslflow/registry.hpp"

#include <algorithm>

#include "sslflow/error.hpp"

namespace sslflow {

Plugin::~Plugin() = default;

namespace {

std::string library_name(const std::string& library) { return library.empty() ? std::string("<built in>") : library; }

// Refuses a schema that declares an option twice or whose default breaks its own constraint.
void check_schema(const PluginInfo& info, const std::string& library) {
  const Schema& schema = info.schema;
  for (size_t i = 0; i < schema.size(); ++i) {
    const Option& option = schema[i];
    for (size_t j = 0; j < i; ++j)
      if (schema[j].name() == option.name())
        throw PluginError(library, "plugin '" + info.key() + "' declares option '" + option.name() + "' twice");
    const Value& fallback = option.default_value();
    if (option.is_required() || fallback.is_null() || option.type() == OptionType::Plugin ||
        option.type() == OptionType::Map)
      continue;
    try {
      option.check(fallback);
    } catch (const OptionError& e) {
      throw PluginError(library, "plugin '" + info.key() + "': the default breaks its own constraint: " + e.what());
    }
  }
}

}  // namespace

void Registry::add(PluginInfo info) {
  if (info.library.empty()) {
    info.library = current_library_;
    info.library_version = current_version_;
  }
  check_schema(info, library_name(info.library));
  if (const PluginInfo* existing = find(info.kind, info.name)) {
    throw PluginError(library_name(info.library), "plugin '" + info.key() + "' is already registered by " +
                                                      library_name(existing->library) + "; remove one of the two libraries");
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
