// LiveNode: one node of a pipeline as the engine drives it: the plugin object its NodeSpec
// names, and what the engine does with it in each phase. Each kind of node has one adapter
// (TransformNode, EncoderNode, TeacherNode, MethodNode); LiveNodes (nodes.hpp) builds the
// right one for each node and drives them in the graph's order, so that a new kind of node
// or a renamed port touches one file.
//
// Phases: setup() once, producers first, with the shapes that flow through the graph
// (SetupPass); then in each training step, run() once per application in the step's
// forward graph (StepExecutor), reading and writing StepValues by PortId, and end_step()
// after the optimizer step. Each node's values and state are its own, so the applications
// of different nodes may run concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "exec/error_context.hpp"
#include "exec/setup_pass.hpp"
#include "exec/step_values.hpp"
#include "graph/pipeline_graph.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/metrics.hpp"
#include "sslflow/module.hpp"

namespace sslflow::engine {

class LiveNode {
 public:
  virtual ~LiveNode();
  LiveNode(const LiveNode&) = delete;
  LiveNode& operator=(const LiveNode&) = delete;

  const NodeSpec& spec() const { return spec_; }
  size_t index() const { return index_; }  // into the graph's nodes

  // The encoder or method the node runs; nullptr for a transform.
  virtual Module* module() const = 0;
  bool trainable() const { return module() && !spec_.is_teacher() && !spec_.frozen; }
  // Runs without gradient: teachers and frozen nodes.
  bool no_grad() const { return spec_.is_teacher() || spec_.frozen; }

  virtual void setup(SetupPass& pass) = 0;
  // How many tasks the node adds to a step's forward graph; 0 for a node that runs in
  // the batch loader instead.
  virtual int applications() const { return 0; }
  // The values application `application` reads.
  virtual std::vector<PortId> reads(int application) const;
  // Runs application `application`: reads its inputs from `values`, writes its outputs.
  virtual void run(int application, StepValues& values);
  // A method's loss and metrics from its last run(); nullptr for the other kinds.
  virtual StepOutput* objective() { return nullptr; }
  // Before the forward of step `step` of `total`: the module's begin_step().
  void begin_step(int64_t step, int64_t total);
  // After the optimizer step of step `step` of `total`: the module's end_step(); what the
  // node logs for the step goes to `metrics`.
  virtual void end_step(int64_t step, int64_t total, Metrics& metrics);

 protected:
  LiveNode(const NodeSpec& spec, size_t index) : spec_(spec), index_(index) {}

  // Runs one of the plugin's own phases; what it throws names the node and the phase.
  template <class Action>
  void in_phase(const std::string& phase, Action&& action) const;
  // Copies the tensors the node's `load:` names into module(); the error names the node,
  // the file and the prefix.
  void load_weights() const;

 private:
  const NodeSpec& spec_;
  size_t index_;
};

template <class Action>
void LiveNode::in_phase(const std::string& phase, Action&& action) const {
  with_context(node_context(spec_) + ", " + phase, std::forward<Action>(action));
}

}  // namespace sslflow::engine
