// StepExecutor: the forward pass of one training step as a oneTBB flow graph.
//
// One flow-graph task per application of each node that runs in the step (encoders,
// teachers, methods: LiveNode::applications()), with an edge wherever one reads another's
// output; tasks with no path between them (two views
// through a shared encoder, student and teacher) run concurrently. The graph is built
// once and run once per step. A node that throws stops the step; the error names the
// node, its plugin, its position in the pipeline file and the step. Each method's loss
// must be a finite scalar that depends on a trainable parameter (unless the node is
// frozen); forward() throws naming the node otherwise.
//
// With check_nonfinite, every application's outputs (a method's loss included) are scanned
// for NaN and infinity after it runs, and forward() throws naming the first node in
// topological order that produced one, with its plugin and the step: the node where a
// non-finite value first appears, not the later ones it spreads to. The ops each task
// records carry its node's OpScope, so that backward({.stop_at_nonfinite = true}) names the
// node of the op whose gradient first is not finite. Off by default: the check costs a
// pass over every output.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>


#include <tbb/flow_graph.h>

#include "exec/batch_loader.hpp"
#include "exec/nodes.hpp"
#include "exec/step_values.hpp"

namespace sslflow::engine {

struct ForwardResult {
  Var loss;         // the sum of every method's loss
  Metrics metrics;  // "<method node>.<metric>", and "<method node>.loss"
};

class StepExecutor {
 public:
  explicit StepExecutor(LiveNodes& nodes, bool check_nonfinite = false);
  StepExecutor(const StepExecutor&) = delete;
  StepExecutor& operator=(const StepExecutor&) = delete;

  // `step` is the global step number, used in error messages.
  ForwardResult forward(const Batch& batch, int64_t step);

 private:
  using Task = tbb::flow::continue_node<tbb::flow::continue_msg>;

  LiveNodes& nodes_;
  StepValues values_;
  bool check_nonfinite_;
  // Per task, in topological order: its node's index and, with check_nonfinite, what it
  // produced that is not finite this step (empty when nothing).
  std::vector<std::pair<size_t, std::string>> nonfinite_;
  int64_t step_ = 0;
  tbb::flow::graph graph_;
  tbb::flow::broadcast_node<tbb::flow::continue_msg> start_;
  std::vector<std::unique_ptr<Task>> tasks_;
};

}  // namespace sslflow::engine
