#include "slot_optimizer.hpp"

#include <oneapi/tbb/parallel_for.h>

#include <cmath>
#include <map>
#include <set>

#include "sslflow/error.hpp"

namespace sslflow::optim {

Schema common_schema(double lr, const std::string& lr_doc, double weight_decay, const std::string& weight_decay_doc) {
  return {
      Option("lr", lr, lr_doc).positive(),
      Option("weight_decay", weight_decay, weight_decay_doc).min(0.0),
      Option("decay_bias_and_norm", false,
             "also decay rank-0 and rank-1 parameters (biases, normalisation weights); off as MAE, data2vec and BYOL"),
  };
}

SlotOptimizer::SlotOptimizer(const Params& params, std::vector<SlotSpec> slots)
    : owner_(params.owner()),
      lr_(params.get<double>("lr")),
      weight_decay_(params.get<double>("weight_decay")),
      decay_bias_and_norm_(params.get<bool>("decay_bias_and_norm")),
      slot_specs_(std::move(slots)) {}

void SlotOptimizer::setup(const std::vector<std::pair<std::string, Var>>& parameters) {
  std::vector<Parameter> prepared;
  std::set<std::string> names;
  for (const auto& [name, var] : parameters) {
    if (!var.defined()) throw Error(owner_ + ": parameter '" + name + "' is undefined");
    if (!names.insert(name).second) throw Error(owner_ + ": parameter '" + name + "' is given twice");
    Parameter p{name, var, decay_bias_and_norm_ || var.rank() >= 2, {}};
    for (const SlotSpec& spec : slot_specs_) p.slots.emplace_back(spec.scalar ? Shape{} : var.shape());
    prepared.push_back(std::move(p));
  }
  parameters_ = std::move(prepared);
  steps_ = 0;
}

void SlotOptimizer::step(double lr) {
  tbb::parallel_for(size_t{0}, parameters_.size(), [&](size_t i) {
    Parameter& p = parameters_[i];
    if (const Tensor grad = p.var.grad(); grad.defined()) update(p, grad, lr);
  });
  ++steps_;
}

NamedTensors SlotOptimizer::state() const {
  NamedTensors state;
  for (const Parameter& p : parameters_)
    for (size_t s = 0; s < slot_specs_.size(); ++s) state.emplace_back(p.name + "." + slot_specs_[s].name, p.slots[s].clone());
  state.emplace_back("step", Tensor::scalar(static_cast<float>(steps_)));
  return state;
}

void SlotOptimizer::load_state(const NamedTensors& state) {
  // Every expected name, with the tensor it is copied into; "step" is checked on its own.
  std::map<std::string, Tensor> targets;
  std::vector<std::string> expected;
  for (const Parameter& p : parameters_)
    for (size_t s = 0; s < slot_specs_.size(); ++s) {
      expected.push_back(p.name + "." + slot_specs_[s].name);
      targets.emplace(expected.back(), p.slots[s]);
    }
  expected.push_back("step");
  targets.emplace("step", Tensor(Shape{}));

  std::map<std::string, Tensor> sources;
  for (const auto& [name, tensor] : state) {
    const auto target = targets.find(name);
    if (target == targets.end())
      throw Error(owner_ + ": unexpected optimizer state '" + name + "'" + did_you_mean(name, expected));
    if (!sources.emplace(name, tensor).second) throw Error(owner_ + ": optimizer state has '" + name + "' twice");
    if (!tensor.defined() || !(tensor.shape() == target->second.shape()))
      throw ShapeError(owner_ + ": optimizer state '" + name + "' has shape " +
                       (tensor.defined() ? tensor.shape().str() : std::string("(undefined)")) + ", expected " +
                       target->second.shape().str());
  }
  for (const std::string& name : expected)
    if (!sources.contains(name)) throw Error(owner_ + ": optimizer state '" + name + "' is missing");
  const float count = sources.at("step").item();
  if (!(count >= 0.0f) || count != std::floor(count))
    throw Error(owner_ + ": optimizer state 'step' is " + std::to_string(count) + ", expected a whole number >= 0");

  for (auto& [name, target] : targets)
    if (name != "step") target.copy_from(sources.at(name));
  steps_ = static_cast<int64_t>(count);
}

}  // namespace sslflow::optim
