// LiveNodes: the live nodes of a pipeline (live_node.hpp), one adapter per node, built from
// a PipelineGraph and set up with the shapes that flow through it.
//
// Setup runs node by node, producers first (a teacher after its student): the dataset's
// sample shape feeds the transforms, their output shapes feed the encoders, whose forward
// of two samples gives the shapes of their outputs, which the methods need to size their
// heads. A node with `load:` takes its tensors from that file; a teacher starts as an exact
// copy of its student.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exec/encoder_node.hpp"
#include "exec/live_node.hpp"
#include "exec/transform_node.hpp"
#include "graph/pipeline_graph.hpp"

namespace sslflow::engine {

class LiveNodes {
 public:
  // Builds every node's plugin (no data is read, no parameter allocated).
  explicit LiveNodes(const PipelineGraph& graph);

  // Sets every node up for samples of `sample_shape` (from the dataset) and epochs of
  // `steps_per_epoch` steps (NodeSetup), and loads the weights of the nodes that name a
  // file. Weights::Skip leaves those files alone: the shape pass of `sslflow validate`.
  enum class Weights { Load, Skip };
  void setup(const Shape& sample_shape, uint64_t seed, int64_t steps_per_epoch = 1, Weights weights = Weights::Load);

  const PipelineGraph& graph() const { return graph_; }
  const PortTable& ports() const { return graph_.ports(); }
  // Node i of the graph's nodes().
  LiveNode& at(size_t i) { return *nodes_[i]; }
  const LiveNode& at(size_t i) const { return *nodes_[i]; }
  size_t size() const { return nodes_.size(); }
  // The transform nodes, producers first.
  const std::vector<const TransformNode*>& transforms() const { return transforms_; }

  // The encoder of node `name`, an EMA teacher's included; empty: the first encoder that is
  // not a teacher. GraphError when there is none.
  Encoder& encoder(const std::string& name);
  // Every trainable parameter as "<node>.<dotted name>".
  std::vector<std::pair<std::string, Var>> trainable_parameters() const;
  // Every encoder's and method's parameters and buffers as "<node>.<dotted name>".
  NamedTensors state_dict() const;
  // Copies a state_dict() back in place; every tensor must be present, with its shape.
  void load_state_dict(const NamedTensors& state);

 private:
  const PipelineGraph& graph_;
  std::vector<std::unique_ptr<LiveNode>> nodes_;
  std::vector<const TransformNode*> transforms_;  // producers first
  std::vector<const EncoderNode*> encoders_;      // teachers included
};

}  // namespace sslflow::engine
