#include "exec/method_node.hpp"

#include <optional>

#include "exec/plugin_factory.hpp"
#include "sslflow/autograd.hpp"

namespace sslflow::engine {

MethodNode::MethodNode(const NodeSpec& spec, size_t index)
    : LiveNode(spec, index), method_(build<Method>(spec.plugin, node_context(spec))) {
  for (const auto& [port, refs] : spec.inputs) {
    auto& ids = inputs_.emplace_back(port, std::vector<PortId>{}).second;
    for (const PortRef& ref : refs) ids.push_back(ref.id);
  }
}

void MethodNode::setup(SetupPass& pass) {
  InputShapes shapes;
  for (const auto& [port, ids] : inputs_)
    for (PortId id : ids)
      for (const Shape& shape : pass.shapes(id)) shapes.add(port, shape);
  in_phase("in setup", [&] { method_->setup(shapes, pass.node_setup(spec().name)); });
  if (pass.load_weights() && !spec().load_path.empty()) load_weights();
  if (spec().frozen) method_->eval();
}

std::vector<PortId> MethodNode::reads(int) const {
  std::vector<PortId> all;
  for (const auto& [_, ids] : inputs_) all.insert(all.end(), ids.begin(), ids.end());
  return all;
}

void MethodNode::run(int, StepValues& values) {
  std::optional<NoGrad> frozen_guard;
  if (no_grad()) frozen_guard.emplace();
  MethodInputs in;
  for (const auto& [port, ids] : inputs_)
    for (PortId id : ids) in.add(port, values[id]);
  output_ = method_->forward(in);
}

}  // namespace sslflow::engine
