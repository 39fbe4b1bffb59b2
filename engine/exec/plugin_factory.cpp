#include "exec/plugin_factory.hpp"

#include "sslflow/error.hpp"

namespace sslflow::engine {

std::shared_ptr<Plugin> build_plugin(const PluginSpec& spec) {
  Params params = spec.params;
  for (const auto& [option, nested] : spec.nested) params.set_plugin(option, build_plugin(nested));
  try {
    return spec.info->factory(params);
  } catch (const Error& e) {
    throw Error(spec.kind + "/" + spec.name + " (declared at " + spec.mark.file + ":" + std::to_string(spec.mark.line) +
                "): " + e.what());
  } catch (const std::exception& e) {
    throw Error(spec.kind + "/" + spec.name + ": " + e.what());
  }
}

}  // namespace sslflow::engine
