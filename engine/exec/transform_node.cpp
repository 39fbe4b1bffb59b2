#include "exec/transform_node.hpp"

#include "exec/plugin_factory.hpp"

namespace sslflow::engine {

TransformNode::TransformNode(const NodeSpec& spec, size_t index, const PortTable& ports)
    : LiveNode(spec, index),
      transform_(build<Transform>(spec.plugin, node_context(spec))),
      input_(spec.connections(Transform::kInput).at(0).id),
      output_(ports.outputs(index, 0).at(0)) {}

void TransformNode::setup(SetupPass& pass) {
  in_phase("in setup", [&] { output_shape_ = transform_->setup(pass.shapes(input_).at(0), pass.node_setup(spec().name)); });
  pass.provide(output_, output_shape_);
}

}  // namespace sslflow::engine
