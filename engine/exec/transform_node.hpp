// TransformNode: a transform node. Set up for its input's sample shape, which gives its
// output's; it runs per sample in the batch loader (BatchLoader), not in the step's graph.
#pragma once

#include <memory>

#include "exec/live_node.hpp"
#include "sslflow/interfaces/transform.hpp"

namespace sslflow::engine {

class TransformNode final : public LiveNode {
 public:
  TransformNode(const NodeSpec& spec, size_t index, const PortTable& ports);

  Module* module() const override { return nullptr; }
  void setup(SetupPass& pass) override;

  const Transform& transform() const { return *transform_; }
  PortId input() const { return input_; }
  PortId output() const { return output_; }
  const Shape& output_shape() const { return output_shape_; }  // after setup()

 private:
  std::shared_ptr<Transform> transform_;
  PortId input_;
  PortId output_;
  Shape output_shape_;
};

}  // namespace sslflow::engine
