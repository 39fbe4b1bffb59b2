#include "exec/step_executor.hpp"

#include <cmath>
#include <map>
#include <optional>
#include <string>

#include "exec/error_context.hpp"
#include "sslflow/autograd.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::engine {

namespace {

std::string node_at_step(const NodeSpec& spec, int64_t step) { return node_context(spec) + " at step " + std::to_string(step); }

// The loss of a method node: a scalar that training can differentiate, and finite.
double checked_loss(const LiveNode& node, const Var& loss, int64_t step) {
  const std::string where = node_at_step(node.spec(), step);
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

// The first non-finite value among what application `a` of `node` produced this step (its
// outputs, a method's loss), as "output 'out' is not finite (nan at index 3)"; empty when
// every value is finite.
std::string nonfinite_output(LiveNode& node, int a, const PortTable& ports, const StepValues& values) {
  if (const StepOutput* out = node.objective(); out && out->loss.defined())
    if (const std::string found = first_nonfinite(out->loss.value()); !found.empty()) return "the loss is not finite (" + found + ")";
  for (PortId id : ports.outputs(node.index(), a)) {
    const Packet& packet = values[id];
    for (size_t b = 0; b < packet.values.size(); ++b) {
      if (!packet.values[b].defined()) continue;
      const std::string found = first_nonfinite(packet.values[b].value());
      if (found.empty()) continue;
      const std::string block = packet.values.size() > 1 ? " block " + std::to_string(b) : "";
      return "output '" + ports.spec(id).name + "'" + block + " is not finite (" + found + ")";
    }
  }
  return "";
}

// What a non-finite gradient's message calls the ops that application `a` of a node records.
std::string op_scope_label(const NodeSpec& spec, int a) {
  return node_context(spec) + (spec.applications() > 1 ? " (application " + std::to_string(a) + ")" : "");
}

}  // namespace

StepExecutor::StepExecutor(LiveNodes& nodes, bool check_nonfinite)
    : nodes_(nodes), values_(nodes.ports()), check_nonfinite_(check_nonfinite), start_(graph_) {
  const PortTable& ports = nodes_.ports();
  std::map<std::pair<size_t, int>, Task*> task_of;  // (node, application) -> its task
  for (size_t i : nodes_.graph().order()) {
    LiveNode& node = nodes_.at(i);
    for (int a = 0; a < node.applications(); ++a) {
      const size_t task_index = nonfinite_.size();
      nonfinite_.emplace_back(i, std::string());
      auto body = [this, &node, &ports, a, task_index](const tbb::flow::continue_msg&) {
        with_context(node_at_step(node.spec(), step_), [&] {
          std::optional<OpScope> scope;
          if (check_nonfinite_) scope.emplace(op_scope_label(node.spec(), a));
          node.run(a, values_);
          if (check_nonfinite_) nonfinite_[task_index].second = nonfinite_output(node, a, ports, values_);
        });
      };
      tasks_.push_back(std::make_unique<Task>(graph_, body));
      Task* task = tasks_.back().get();
      task_of[{i, a}] = task;

      bool has_producer = false;
      for (PortId id : node.reads(a)) {
        auto producer = task_of.find({ports.producer(id), ports.application(id)});
        if (producer == task_of.end()) continue;  // the data source, a transform: the batch
        tbb::flow::make_edge(*producer->second, *task);
        has_producer = true;
      }
      if (!has_producer) tbb::flow::make_edge(start_, *task);
    }
  }
}

ForwardResult StepExecutor::forward(const Batch& batch, int64_t step) {
  step_ = step;
  values_.clear_values();
  for (auto& entry : nonfinite_) entry.second.clear();
  for (const auto& [id, tensor] : batch.ports) values_[id] = Packet{{Var(tensor)}};
  start_.try_put(tbb::flow::continue_msg());
  try {
    graph_.wait_for_all();
  } catch (...) {
    graph_.reset();
    throw;
  }
  for (const auto& [i, found] : nonfinite_)
    if (!found.empty()) throw Error(node_at_step(nodes_.at(i).spec(), step) + " produced a non-finite value: " + found);
  ForwardResult result;
  std::optional<OpScope> scope;
  if (check_nonfinite_) scope.emplace("the engine's sum of the methods' losses");
  for (size_t i : nodes_.graph().order()) {
    LiveNode& node = nodes_.at(i);
    StepOutput* out = node.objective();
    if (!out) continue;
    const double loss = checked_loss(node, out->loss, step);
    result.loss = result.loss.defined() ? add(result.loss, out->loss) : out->loss;
    result.metrics.emplace_back(node.spec().name + ".loss", loss);
    for (const auto& [k, v] : out->metrics) result.metrics.emplace_back(node.spec().name + "." + k, v);
    *out = StepOutput{};
  }
  if (!result.loss.defined()) throw GraphError("the pipeline has no method node, so there is no loss to train");
  return result;
}

}  // namespace sslflow::engine
