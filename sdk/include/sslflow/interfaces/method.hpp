// Method: a self-supervised objective (plugin kind "method"): its heads (projector,
// predictor, regressor), its targets and stop-gradients, and its loss.
//
// Lifecycle: constructed from its Params (a plugin-valued `loss:` arrives already built,
// through Params::plugin<Loss>); setup() once with the per-sample shapes of every connected
// input, where it creates its heads; forward() once per training step, returning the loss
// the engine back-propagates and the metrics it logs; Module::end_step() after the
// optimizer step and the EMA updates (override on_end_step() for state that is not learned
// by gradient, such as a codebook).
//
// Ports: a method declares its inputs with `static Signature signature()`; a repeated
// input (`inputs: [backbone.0, backbone.1]`) arrives as several packets in order. setup()
// and forward() read them by port name (InputShapes and MethodInputs, ports.hpp).
// Threading: forward() and end_step() are called from one task at a time.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sslflow/interfaces/node.hpp"
#include "sslflow/metrics.hpp"
#include "sslflow/module.hpp"
#include "sslflow/plugin.hpp"
#include "sslflow/ports.hpp"

namespace sslflow {

struct StepOutput {
  Var loss;  // a scalar
  Metrics metrics;
};

class SSLFLOW_EXPORT Method : public Plugin, public Module {
 public:
  static constexpr const char* kKind = "method";
  ~Method() override;

  virtual void setup(const InputShapes& shapes, const NodeSetup& context) = 0;
  virtual StepOutput forward(const MethodInputs& inputs) = 0;
};

}  // namespace sslflow
