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
// input (`inputs: [backbone.0, backbone.1]`) arrives as several packets in order.
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

// The packets connected to each declared input port, in declaration order.
class SSLFLOW_EXPORT MethodInputs {
 public:
  void add(const std::string& port, Packet packet);
  // The index-th packet of `port`; throws GraphError naming the port when absent.
  const Packet& get(const std::string& port, size_t index = 0) const;
  size_t count(const std::string& port) const;

 private:
  std::vector<std::pair<std::string, std::vector<Packet>>> ports_;
};

// Per-sample shapes (without the batch dimension) of the packets on each input port;
// for a Blocks port, one shape per block in order, so a method knows how many there are.
using InputShapes = std::vector<std::pair<std::string, std::vector<Shape>>>;

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
