#include "exec/step_executor.hpp"

#include <map>

#include "exec/node_step.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::engine {

StepExecutor::StepExecutor(LiveNodes& nodes) : nodes_(nodes), start_(graph_) {
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
      auto body = [this, i, a, output_slot, &spec](const tbb::flow::continue_msg&) {
        try {
          StepOutput* out = nodes_.at(i).method ? &method_outputs_[output_slot].second : nullptr;
          run_node(nodes_, i, a, values_, out);
        } catch (const std::exception& e) {
          throw Error("node '" + spec.name + "' (" + spec.plugin.kind + "/" + spec.plugin.name + ") at step " +
                      std::to_string(step_) + ": " + e.what());
        }
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
  for (const auto& [key, tensor] : batch.ports) values_[key] = Packet{PortType::Image, {Var(tensor)}};
  start_.try_put(tbb::flow::continue_msg());
  try {
    graph_.wait_for_all();
  } catch (...) {
    graph_.reset();
    throw;
  }
  ForwardResult result;
  for (auto& [i, out] : method_outputs_) {
    const std::string& name = nodes_.at(i).spec->name;
    if (!out.loss.defined()) throw Error("method node '" + name + "' returned no loss at step " + std::to_string(step));
    result.loss = result.loss.defined() ? add(result.loss, out.loss) : out.loss;
    result.metrics.emplace_back(name + ".loss", out.loss.value().item());
    for (const auto& [k, v] : out.metrics) result.metrics.emplace_back(name + "." + k, v);
    out = StepOutput{};
  }
  if (!result.loss.defined()) throw GraphError("the pipeline has no method node, so there is no loss to train");
  return result;
}

}  // namespace sslflow::engine
