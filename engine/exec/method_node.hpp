// MethodNode: a method node. Set up with the per-sample shapes of every connected input,
// port by port in connection order, then given the tensors `load:` names, if any. In a
// step it runs once, on every connection's value, and holds the loss and metrics it
// returned (objective()) until the next step. A frozen method stays in evaluation mode
// and runs without gradient.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exec/live_node.hpp"
#include "sslflow/interfaces/method.hpp"

namespace sslflow::engine {

class MethodNode final : public LiveNode {
 public:
  MethodNode(const NodeSpec& spec, size_t index);

  Module* module() const override { return method_.get(); }
  void setup(SetupPass& pass) override;
  int applications() const override { return 1; }
  std::vector<PortId> reads(int application) const override;
  void run(int application, StepValues& values) override;
  StepOutput* objective() override { return &output_; }

 private:
  std::shared_ptr<Method> method_;
  std::vector<std::pair<std::string, std::vector<PortId>>> inputs_;  // port -> connections
  StepOutput output_;
};

}  // namespace sslflow::engine
