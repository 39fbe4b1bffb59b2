// Running plugins outside the engine, for a plugin's own tests (the way MediaPipe's
// CalculatorRunner runs one calculator).
//
// Plugins loads the plugin libraries of some directories, with the engine's checks
// (sslflow/plugin_loader.hpp), and builds any plugin they hold from options written as a
// Value map, the form a pipeline's YAML takes: defaults filled in, plugin-valued options (a
// method's `loss: {plugin: mse}`) built first, the plugin's static check() run, as the
// engine does. A library that is refused or skipped is an error: a test should not pass on
// fewer plugins than it was given.
//
// MethodRunner runs one method node as the engine runs it: setup() with the per-sample
// shapes of its inputs, then step() with tensors (forward; the engine's checks on the loss:
// a finite scalar that depends on a parameter; backward; the after-step hooks), leaving
// the parameters' gradients for the test to read.
//
//   sslflow::testing::Plugins plugins({SSLFLOW_PLUGIN_DIR, MY_PLUGIN_DIR});
//   auto mse = plugins.create<sslflow::Loss>("mse");
//   sslflow::testing::MethodRunner runner(plugins, "align_uniform", {{"proj_dim", 16}});
//   runner.setup({{"input", {Shape{32}, Shape{32}}}});
//   sslflow::StepOutput out = runner.step({{"input", {z1, z2}}});  // z1, z2: Vars (B, 32)
#pragma once

#include <cmath>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sslflow/error.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/plugin_loader.hpp"
#include "sslflow/registry.hpp"

namespace sslflow::testing {

class Plugins {
 public:
  explicit Plugins(const std::vector<std::filesystem::path>& dirs) {
    std::ostringstream warnings;
    PluginLoader loader(registry_, warnings);
    loader.load_directories(dirs);
    if (!warnings.str().empty()) throw PluginError("", "loading the test's plugins:\n" + warnings.str());
  }

  const Registry& registry() const { return registry_; }

  // Plugin kind/name built from `options`; PluginError when there is none of that name,
  // OptionError for options its schema refuses.
  std::shared_ptr<Plugin> create(const std::string& kind, const std::string& name,
                                 const Value::Map& options = {}) const {
    const PluginInfo* info = registry_.find(kind, name);
    if (!info)
      throw PluginError("", "no " + kind + " plugin named '" + name + "'" + did_you_mean(name, registry_.names(kind)));
    Params params = Params::resolve(info->key(), info->schema, Value(options));
    for (const Option& option : info->schema) {
      if (option.type() != OptionType::Plugin) continue;
      const Value* given = params.values().find(option.name());
      if (!given || given->is_null()) given = &option.default_value();
      if (given->is_null()) continue;
      params.set_plugin(option.name(), create_nested(option.plugin_kind(), *given));
    }
    if (info->check) info->check(params);
    return info->factory(params);
  }

  template <class Interface>
  std::shared_ptr<Interface> create(const std::string& name, const Value::Map& options = {}) const {
    auto object = std::dynamic_pointer_cast<Interface>(create(Interface::kKind, name, options));
    if (!object) throw PluginError("", std::string(Interface::kKind) + "/" + name + " is not a " + Interface::kKind);
    return object;
  }

 private:
  // A plugin-valued option's value: NAME, or {plugin: NAME, its options...}.
  std::shared_ptr<Plugin> create_nested(const std::string& kind, const Value& value) const {
    if (value.is_string()) return create(kind, value.as_string());
    Value::Map options;
    std::string name;
    for (const auto& [key, v] : value.as_map())
      if (key == "plugin")
        name = v.as_string();
      else
        options.emplace_back(key, v);
    return create(kind, name, options);
  }

  Registry registry_;
};

class MethodRunner {
 public:
  MethodRunner(const Plugins& plugins, const std::string& name, const Value::Map& options = {},
               NodeSetup context = {"method", 0})
      : method_(plugins.create<Method>(name, options)), context_(std::move(context)) {}

  Method& method() { return *method_; }

  void setup(const InputShapes& shapes) { method_->setup(shapes, context_); }

  // The method's output for `inputs` (each port's values, in order), without backward.
  StepOutput forward(const std::vector<std::pair<std::string, std::vector<Var>>>& inputs) {
    MethodInputs in;
    for (const auto& [port, values] : inputs)
      for (const Var& v : values) in.add(port, Packet{{v}});
    return method_->forward(in);
  }

  // One training step of `total_steps` without the optimizer: the before-step hooks,
  // forward, the checks the engine makes on the loss (Error naming the method otherwise),
  // backward into the method's parameters and whatever the inputs reach, then the
  // after-step hooks.
  StepOutput step(const std::vector<std::pair<std::string, std::vector<Var>>>& inputs, int64_t total_steps = 1) {
    for (Var& p : method_->parameters()) p.zero_grad();
    method_->begin_step(step_, total_steps);
    StepOutput out = forward(inputs);
    const std::string where = "method '" + context_.node_name + "' at step " + std::to_string(step_);
    if (!out.loss.defined() || out.loss.rank() != 0) throw Error(where + ": the loss must be a scalar");
    if (!std::isfinite(out.loss.value().item())) throw Error(where + ": the loss is not finite");
    if (!out.loss.requires_grad()) throw Error(where + ": the loss depends on no trainable parameter");
    out.loss.backward({.stop_at_nonfinite = true});
    method_->end_step(step_++, total_steps);
    return out;
  }

 private:
  std::shared_ptr<Method> method_;
  NodeSetup context_;
  int64_t step_ = 0;
};

}  // namespace sslflow::testing
