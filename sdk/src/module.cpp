#include "sslflow/module.hpp"

#include <map>

#include "sslflow/error.hpp"

namespace sslflow {

Module::~Module() = default;

void Module::check_new_name(const std::string& name) const {
  if (name.empty() || name.find('.') != std::string::npos)
    throw Error("module member name '" + name + "' must be non-empty and contain no '.'");
  auto taken = [&](const auto& list) {
    for (const auto& [n, _] : list)
      if (n == name) return true;
    return false;
  };
  if (taken(parameters_) || taken(buffers_) || taken(children_))
    throw Error("module member '" + name + "' is registered twice");
}

Var Module::register_parameter(std::string name, Tensor value) {
  check_new_name(name);
  Var v(std::move(value), true);
  parameters_.emplace_back(std::move(name), v);
  return v;
}

Tensor Module::register_buffer(std::string name, Tensor value) {
  check_new_name(name);
  buffers_.emplace_back(std::move(name), value);
  return value;
}

void Module::add_child(std::string name, std::shared_ptr<Module> child) {
  check_new_name(name);
  if (!child) throw Error("register_module('" + name + "'): null module");
  children_.emplace_back(std::move(name), std::move(child));
}

void Module::collect(const std::string& prefix, std::vector<std::pair<std::string, Var>>* params,
                     NamedTensors* buffers) const {
  if (params)
    for (const auto& [n, v] : parameters_) params->emplace_back(prefix + n, v);
  if (buffers)
    for (const auto& [n, t] : buffers_) buffers->emplace_back(prefix + n, t);
  for (const auto& [n, c] : children_) c->collect(prefix + n + ".", params, buffers);
}

std::vector<std::pair<std::string, Var>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Var>> out;
  collect("", &out, nullptr);
  return out;
}

std::vector<Var> Module::parameters() const {
  std::vector<Var> out;
  for (auto& [_, v] : named_parameters()) out.push_back(v);
  return out;
}

NamedTensors Module::named_buffers() const {
  NamedTensors out;
  collect("", nullptr, &out);
  return out;
}

NamedTensors Module::state_dict() const {
  NamedTensors out;
  for (auto& [n, v] : named_parameters()) out.emplace_back(n, v.value());
  for (auto& [n, t] : named_buffers()) out.emplace_back(n, t);
  return out;
}

void Module::load_state_dict(const NamedTensors& state, bool strict) {
  std::map<std::string, const Tensor*> given;
  for (const auto& [n, t] : state) given[n] = &t;
  size_t used = 0;
  for (auto& [name, target] : state_dict()) {
    auto it = given.find(name);
    if (it == given.end()) {
      if (strict) throw Error("load_state_dict: missing tensor '" + name + "' of shape " + target.shape().str());
      continue;
    }
    if (!(it->second->shape() == target.shape()))
      throw ShapeError("load_state_dict: tensor '" + name + "' has shape " + it->second->shape().str() +
                       ", the module expects " + target.shape().str());
    target.copy_from(*it->second);
    ++used;
  }
  if (strict && used != given.size()) {
    auto own = state_dict();
    for (const auto& [n, _] : state) {
      bool known = false;
      for (const auto& [m, __] : own) known = known || m == n;
      if (!known) throw Error("load_state_dict: unexpected tensor '" + n + "'");
    }
  }
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [_, c] : children_) c->train(on);
}

void Module::zero_grad() {
  for (auto& v : parameters()) v.zero_grad();
}

void Module::begin_step(int64_t step, int64_t total_steps) {
  for (auto& [_, c] : children_) c->begin_step(step, total_steps);
  on_begin_step(step, total_steps);
}

void Module::end_step(int64_t step, int64_t total_steps) {
  for (auto& [_, c] : children_) c->end_step(step, total_steps);
  on_end_step(step, total_steps);
}

int64_t Module::parameter_count() const {
  int64_t n = 0;
  for (auto& v : parameters()) n += v.value().numel();
  return n;
}

}  // namespace sslflow
