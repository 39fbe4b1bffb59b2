#include "exec/plugin_factory.hpp"

#include "exec/error_context.hpp"

namespace sslflow::engine {

std::shared_ptr<Plugin> build_plugin(const PluginSpec& spec, const std::string& context) {
  Params params = spec.params;
  for (const auto& [option, nested] : spec.nested) params.set_plugin(option, build_plugin(nested));
  return with_context(context.empty() ? plugin_context(spec) : context, [&] { return spec.info->factory(params); });
}

std::shared_ptr<Dataset> open_dataset(const PluginSpec& spec) {
  auto data = build<Dataset>(spec);
  with_context(plugin_context(spec) + ", opening its data", [&] { data->open(); });
  return data;
}

}  // namespace sslflow::engine
