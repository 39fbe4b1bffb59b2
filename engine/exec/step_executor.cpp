#include "exec/step_executor.hpp"

#include <cmath>
#include <map>
#include <optional>
#include <string>

#include "exec/error_context.hpp"
#include "exec/node_step.hpp"
#include "sslflow/autograd.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::engine {

namespace {

std::string node_at_step(const NodeSpec& spec, int64_t step) { return node_context(spec) + " at step " + std::to_string(step); }

// The loss of a method node: a scalar that training can differentiate, and finite.
double checked_loss(const LiveNode& node, const Var& loss, int64_t step) {
  const std::string where = node_at_step(*node.spec, step);
  if (!loss.defined()) throw Error(where + ": the method returned no loss");
  if (loss.rank() != 0)
    throw Error(where + ": the loss must be a scalar (shape []), got shape " + loss.shape().str() +
                "; reduce it, with mean() for instance");
  if (grad_enabled() && !node.no_grad() && !loss.requires_grad())
    throw Error(where + ": the loss depends on no trainable parameter, so training would change nothing");
  const double value = loss.value().item();
  if (!std::isfinite(value))
    throw Error(where + ": the loss is not finite (" + std::to_string(value) +
                "); run with --debug-nonfinite to name the node where the first non-finite value appears");
  return value;
}

// What a non-finite gradient's message calls the ops that application `a` of a node records.
std::string op_scope_label(const NodeSpec& spec, int a) {
  return node_context(spec) + (spec.applications() > 1 ? " (application " + std::to_string(a) + ")" : "");
}

}  // namespace

StepExecutor::StepExecutor(LiveNodes& nodes, bool check_nonfinite)
    : nodes_(nodes), check_nonfinite_(check_nonfinite), start_(graph_) {
  declare_outputs(nodes_, values_);
  const PipelineGraph& graph = nodes_.graph();
  std::map<std::pair<size_t, int>, Task*> task_of;
  for (size_t i : graph.order()) {
    const LiveNode& node = nodes_.at(i);
    if (!node.module()) continue;
    const NodeSpec& spec = *node.spec;
    size_t output_slot = method_outputs_.size();
    if (node.method) method_outputs_.emplace_back(i, StepOutput{});
    for (int a = 0; a < spec.applications(); ++a) {
      const size_t task_index = nonfinite_.size();
      nonfinite_.emplace_back(i, std::string());
      auto body = [this, i, a, output_slot, task_index, &spec](const tbb::flow::continue_msg&) {
        with_context(node_at_step(spec, step_), [&] {
          std::optional<OpScope> scope;
          if (check_nonfinite_) scope.emplace(op_scope_label(spec, a));
          StepOutput* out = nodes_.at(i).method ? &method_outputs_[output_slot].second : nullptr;
          run_node(nodes_, i, a, values_, out);
          if (check_nonfinite_) nonfinite_[task_index].second = nonfinite_output(nodes_, i, a, values_, out);
        });
      };
      tasks_.push_back(std::make_unique<Task>(graph_, body));
      Task* task = tasks_.back().get();
      task_of[{i, a}] = task;

      bool has_producer = false;
      for (const auto& [port, refs] : spec.inputs)
        for (size_t r = 0; r < refs.size(); ++r) {
          const PortRef& ref = refs[r];
          if (node.encoder && port == "input" && refs.size() > 1 && static_cast<int>(r) != a) continue;
          if (ref.node == "data") continue;
          const NodeSpec& producer = graph.node(ref.node);
          for (int pa = 0; pa < producer.applications(); ++pa) {
            auto it = task_of.find({static_cast<size_t>(&producer - graph.nodes().data()), pa});
            if (it == task_of.end() || (ref.application >= 0 && ref.application != pa)) continue;
            tbb::flow::make_edge(*it->second, *task);
            has_producer = true;
          }
        }
      if (!has_producer) tbb::flow::make_edge(start_, *task);
    }
  }
}

ForwardResult StepExecutor::forward(const Batch& batch, int64_t step) {
  step_ = step;
  values_.clear_values();
  for (auto& entry : nonfinite_) entry.second.clear();
  for (const auto& [key, tensor] : batch.ports) values_[key] = Packet{{Var(tensor)}};
  start_.try_put(tbb::flow::continue_msg());
  try {
    graph_.wait_for_all();
  } catch (...) {
    graph_.reset();
    throw;
  }
  for (const auto& [i, found] : nonfinite_)
    if (!found.empty()) throw Error(node_at_step(*nodes_.at(i).spec, step) + " produced a non-finite value: " + found);
  ForwardResult result;
  std::optional<OpScope> scope;
  if (check_nonfinite_) scope.emplace("the engine's sum of the methods' losses");
  for (auto& [i, out] : method_outputs_) {
    const std::string& name = nodes_.at(i).spec->name;
    const double loss = checked_loss(nodes_.at(i), out.loss, step);
    result.loss = result.loss.defined() ? add(result.loss, out.loss) : out.loss;
    result.metrics.emplace_back(name + ".loss", loss);
    for (const auto& [k, v] : out.metrics) result.metrics.emplace_back(name + "." + k, v);
    out = StepOutput{};
  }
  if (!result.loss.defined()) throw GraphError("the pipeline has no method node, so there is no loss to train");
  return result;
}

}  // namespace sslflow::engine
