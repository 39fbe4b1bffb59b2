// The live plugin objects of a pipeline's nodes, built from a PipelineGraph and set up
// with the shapes that flow through the graph.
//
// Setup order follows the graph: the dataset's sample shape feeds the transforms, their
// output shapes feed the encoders, and a dry forward pass of two samples (no gradient,
// evaluation mode) gives the per-sample shape of every encoder port, which the methods
// need to size their heads. A node with `load:` then takes its tensors from a checkpoint; a
// teacher is a second instance of its student's plugin with the same options, set up the
// same way, and starts as an exact copy of the student. A frozen node stays in evaluation
// mode.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graph/pipeline_graph.hpp"
#include "sslflow/interfaces/dataset.hpp"
#include "sslflow/interfaces/ema_scheduler.hpp"
#include "sslflow/interfaces/encoder.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/interfaces/transform.hpp"

namespace sslflow::engine {

struct LiveNode {
  const NodeSpec* spec = nullptr;
  std::shared_ptr<Transform> transform;
  std::shared_ptr<Encoder> encoder;
  std::shared_ptr<Method> method;
  std::shared_ptr<EmaScheduler> schedule;  // teachers only
  std::shared_ptr<Encoder> student;        // teachers only: the encoder they follow

  Module* module() const;  // the encoder or method; nullptr for transforms
  bool trainable() const { return module() && !spec->is_teacher() && !spec->frozen; }
  // Runs without gradient: teachers and frozen nodes.
  bool no_grad() const { return spec->is_teacher() || spec->frozen; }
};

class LiveNodes {
 public:
  // Builds every node's plugin (no data is read, no parameter allocated).
  explicit LiveNodes(const PipelineGraph& graph);

  // Sets every node up for samples of `sample_shape` (from the dataset) and loads the
  // weights of the nodes that name a file. Weights::Skip leaves those files alone: the shape
  // pass of `sslflow validate`.
  enum class Weights { Load, Skip };
  void setup(const Shape& sample_shape, uint64_t seed, Weights weights = Weights::Load);

  const PipelineGraph& graph() const { return graph_; }
  LiveNode& at(size_t i) { return nodes_[i]; }
  const LiveNode& at(size_t i) const { return nodes_[i]; }
  size_t size() const { return nodes_.size(); }

  // Per-sample shape of an output port ("node.app.port" key, see port_key()).
  const std::vector<Shape>& port_shapes(const std::string& key) const;
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
  void load_checkpoint(LiveNode& node);

  const PipelineGraph& graph_;
  std::vector<LiveNode> nodes_;
  std::map<std::string, std::vector<Shape>> shapes_;
};

// The key of one output port's value in a step: "node.application.port".
std::string port_key(const std::string& node, int application, const std::string& port);
// The key a reference reads, resolving a missing port to the producer's first output.
std::string port_key(const PortRef& ref, const PipelineGraph& graph);

}  // namespace sslflow::engine
