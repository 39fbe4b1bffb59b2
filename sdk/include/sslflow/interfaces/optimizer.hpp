// Optimizer: updates parameters from their gradients (plugin kind "optimizer").
//
// Lifecycle: constructed from its Params (the base learning rate among them); setup() once
// with every trainable parameter by its dotted name, where it decides which ones get
// weight decay (by default not biases and normalisation parameters: rank-1 tensors) and
// allocates its state; step() once per training step with the learning rate of the
// schedule. state()/load_state() round-trip everything needed to resume bit for bit.
// Threading: called from one thread; step() may parallelise internally.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sslflow/module.hpp"
#include "sslflow/plugin.hpp"

namespace sslflow {

class SSLFLOW_EXPORT Optimizer : public Plugin {
 public:
  static constexpr const char* kKind = "optimizer";
  ~Optimizer() override;

  virtual void setup(const std::vector<std::pair<std::string, Var>>& parameters) = 0;
  virtual double base_lr() const = 0;
  // Applies one update with learning rate `lr` to every parameter that has a gradient.
  virtual void step(double lr) = 0;
  // Optimizer state by "<parameter name>.<slot>" (e.g. "backbone.0.weight.momentum_buffer").
  virtual NamedTensors state() const = 0;
  virtual void load_state(const NamedTensors& state) = 0;
};

}  // namespace sslflow
