#include "exec/node_step.hpp"

#include <optional>
#include <string>

#include "sslflow/autograd.hpp"
#include "sslflow/nn/application.hpp"

namespace sslflow::engine {

namespace {

int output_application(const NodeSpec& spec, int application) { return spec.applications() > 1 ? application : -1; }

}  // namespace

void declare_outputs(const LiveNodes& nodes, StepValues& values) {
  values.declare(port_key("data", -1, "image"));
  values.declare(port_key("data", -1, "label"));
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeSpec& spec = *nodes.at(i).spec;
    for (int a = 0; a < spec.applications(); ++a)
      for (const PortSpec& port : spec.plugin.info->signature.outputs)
        values.declare(port_key(spec.name, output_application(spec, a), port.name));
  }
}

void run_node(LiveNodes& nodes, size_t i, int application, StepValues& values, StepOutput* result) {
  LiveNode& node = nodes.at(i);
  const NodeSpec& spec = *node.spec;
  const PipelineGraph& graph = nodes.graph();
  if (node.encoder) {
    const auto& inputs = spec.connections("input");
    const Var& x = values[port_key(inputs.at(inputs.size() > 1 ? application : 0), graph)].value();
    Tensor mask;
    if (const auto& m = spec.connections("mask"); !m.empty()) mask = values[port_key(m.front(), graph)].value().value();
    Encoder::Output out;
    {
      std::optional<NoGrad> no_grad_guard;
      if (node.no_grad()) no_grad_guard.emplace();
      nn::ApplicationScope scope(application);
      out = node.encoder->forward(x, mask);
    }
    const int a = output_application(spec, application);
    values[port_key(spec.name, a, "out")] = Packet{{out.features}};
    if (out.tokens.defined()) values[port_key(spec.name, a, "tokens")] = Packet{{out.tokens}};
    if (!out.blocks.empty()) values[port_key(spec.name, a, "blocks")] = Packet{out.blocks};
    return;
  }
  if (node.method) {
    std::optional<NoGrad> frozen_guard;
    if (node.no_grad()) frozen_guard.emplace();
    MethodInputs in;
    for (const auto& [port, refs] : spec.inputs)
      for (const PortRef& ref : refs) in.add(port, values[port_key(ref, graph)]);
    *result = node.method->forward(in);
  }
}

std::string nonfinite_output(const LiveNodes& nodes, size_t i, int application, const StepValues& values,
                             const StepOutput* result) {
  if (result && result->loss.defined())
    if (const std::string found = first_nonfinite(result->loss.value()); !found.empty()) return "the loss is not finite (" + found + ")";
  const NodeSpec& spec = *nodes.at(i).spec;
  for (const PortSpec& port : spec.plugin.info->signature.outputs) {
    const Packet& packet = values[port_key(spec.name, output_application(spec, application), port.name)];
    for (size_t b = 0; b < packet.values.size(); ++b) {
      if (!packet.values[b].defined()) continue;
      const std::string found = first_nonfinite(packet.values[b].value());
      if (found.empty()) continue;
      const std::string block = packet.values.size() > 1 ? " block " + std::to_string(b) : "";
      return "output '" + port.name + "'" + block + " is not finite (" + found + ")";
    }
  }
  return "";
}

}  // namespace sslflow::engine
