#include "exec/nodes.hpp"

#include "exec/error_context.hpp"
#include "exec/node_step.hpp"
#include "exec/plugin_factory.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/safetensors.hpp"

namespace sslflow::engine {

Module* LiveNode::module() const {
  if (encoder) return encoder.get();
  if (method) return method.get();
  return nullptr;
}

std::string port_key(const std::string& node, int application, const std::string& port) {
  return node + "." + std::to_string(application) + "." + port;
}

std::string port_key(const PortRef& ref, const PipelineGraph& graph) {
  if (ref.node == "data") return port_key("data", -1, ref.port.empty() ? "image" : ref.port);
  const NodeSpec& producer = graph.node(ref.node);
  const auto& outputs = producer.plugin.info->signature.outputs;
  SSLFLOW_ASSERT(!outputs.empty(), "node '" + producer.name + "' has no output port");
  return port_key(ref.node, producer.applications() > 1 ? ref.application : -1,
                  ref.port.empty() ? outputs.front().name : ref.port);
}

LiveNodes::LiveNodes(const PipelineGraph& graph) : graph_(graph) {
  for (const NodeSpec& spec : graph.nodes()) {
    LiveNode node;
    node.spec = &spec;
    const std::string& kind = spec.plugin.kind;
    const std::string context = node_context(spec);
    if (kind == Transform::kKind)
      node.transform = build<Transform>(spec.plugin, context);
    else if (kind == Encoder::kKind)
      node.encoder = build<Encoder>(spec.plugin, context);
    else if (kind == Method::kKind)
      node.method = build<Method>(spec.plugin, context);
    else
      throw GraphError("node '" + spec.name + "': a " + kind + " plugin cannot be a graph node");
    if (spec.is_teacher()) node.schedule = build<EmaScheduler>(spec.schedule, context + ", its schedule");
    nodes_.push_back(std::move(node));
  }
  for (LiveNode& node : nodes_)
    if (node.spec->is_teacher()) {
      const NodeSpec& student = graph.node(node.spec->ema_of);
      for (const LiveNode& other : nodes_)
        if (other.spec == &student) node.student = other.encoder;
      if (!node.encoder || !node.student)
        throw GraphError("teacher '" + node.spec->name + "' must follow an encoder node, and '" + student.name +
                         "' is not one");
    }
}

const std::vector<Shape>& LiveNodes::port_shapes(const std::string& key) const {
  auto it = shapes_.find(key);
  if (it == shapes_.end()) throw GraphError("port '" + key + "' carries no value");
  return it->second;
}

Encoder& LiveNodes::encoder(const std::string& name) {
  for (LiveNode& node : nodes_) {
    if (!node.encoder) continue;
    if (name.empty() ? !node.spec->is_teacher() : node.spec->name == name) return *node.encoder;
  }
  if (name.empty()) throw GraphError("the pipeline has no encoder node that is not a teacher");
  throw GraphError("node '" + name + "' is not an encoder");
}

void LiveNodes::setup(const Shape& sample_shape, uint64_t seed, Weights weights) {
  shapes_[port_key("data", -1, "image")] = {sample_shape};
  shapes_[port_key("data", -1, "label")] = {Shape{}};
  auto input_shape = [&](const NodeSpec& spec, const char* port) {
    return port_shapes(port_key(spec.connections(port).at(0), graph_)).at(0);
  };

  // Transforms and encoders, producers first.
  for (size_t i : graph_.order()) {
    LiveNode& node = nodes_[i];
    const NodeSpec& spec = *node.spec;
    NodeSetup context{spec.is_teacher() ? spec.ema_of : spec.name, seed};
    with_context(node_context(spec) + ", in setup", [&] {
      if (node.transform) shapes_[port_key(spec.name, -1, "out")] = {node.transform->setup(input_shape(spec, "input"), context)};
      if (node.encoder) node.encoder->setup(input_shape(spec, "input"), context);
    });
    if (node.encoder && spec.frozen) node.encoder->eval();
  }
  for (LiveNode& node : nodes_)
    if (weights == Weights::Load && node.encoder && !node.spec->load_path.empty()) load_checkpoint(node);
  for (LiveNode& node : nodes_)
    if (node.student) node.encoder->load_state_dict(node.student->state_dict());

  // A dry forward of two samples gives the shapes the encoders produce.
  constexpr int64_t kDryBatch = 2;
  StepValues values;
  declare_outputs(*this, values);
  for (const auto& [key, shapes] : shapes_) {
    std::vector<int64_t> dims{kDryBatch};
    for (int64_t d : shapes.front()) dims.push_back(d);
    values[key] = Packet{{Var(Tensor(Shape(dims)))}};
  }
  {
    NoGrad no_grad;
    for (size_t i : graph_.order()) {
      LiveNode& node = nodes_[i];
      if (!node.encoder) continue;
      node.encoder->eval();
      with_context(node_context(*node.spec) + ", in its forward of two samples at setup", [&] {
        for (int a = 0; a < node.spec->applications(); ++a) run_node(*this, i, a, values, nullptr);
      });
      node.encoder->train(!node.spec->frozen);
      for (int a = 0; a < node.spec->applications(); ++a) {
        const int app = node.spec->applications() > 1 ? a : -1;
        for (const PortSpec& port : node.spec->plugin.info->signature.outputs) {
          const Packet& p = values[port_key(node.spec->name, app, port.name)];
          std::vector<Shape> shapes;
          for (const Var& v : p.values) {
            auto dims = v.shape().to_vector();
            shapes.emplace_back(std::span<const int64_t>(dims).subspan(1));
          }
          if (!shapes.empty()) shapes_[port_key(node.spec->name, app, port.name)] = shapes;
        }
      }
    }
  }

  for (size_t i : graph_.order()) {
    LiveNode& node = nodes_[i];
    if (!node.method) continue;
    InputShapes shapes;
    for (const auto& [port, refs] : node.spec->inputs) {
      std::vector<Shape> port_shapes_list;
      for (const PortRef& ref : refs) {
        const auto& s = port_shapes(port_key(ref, graph_));
        port_shapes_list.insert(port_shapes_list.end(), s.begin(), s.end());
      }
      shapes.emplace_back(port, port_shapes_list);
    }
    with_context(node_context(*node.spec) + ", in setup", [&] { node.method->setup(shapes, NodeSetup{node.spec->name, seed}); });
    if (!node.spec->load_path.empty()) load_checkpoint(node);
    if (node.spec->frozen) node.method->eval();
  }
}

void LiveNodes::load_state_dict(const NamedTensors& state) {
  for (const LiveNode& node : nodes_) {
    if (!node.module()) continue;
    const std::string prefix = node.spec->name + ".";
    NamedTensors own;
    for (const auto& [name, t] : state)
      if (name.starts_with(prefix)) own.emplace_back(name.substr(prefix.size()), t);
    node.module()->load_state_dict(own);
  }
}

void LiveNodes::load_checkpoint(LiveNode& node) {
  const NodeSpec& spec = *node.spec;
  NamedTensors selected;
  for (auto& [name, tensor] : io::read_safetensors(spec.load_path).tensors)
    if (name.starts_with(spec.load_prefix)) selected.emplace_back(name.substr(spec.load_prefix.size()), tensor);
  try {
    node.module()->load_state_dict(selected);
  } catch (const Error& e) {
    throw Error(node_context(spec) + ": loading " + spec.load_path + " (prefix '" + spec.load_prefix +
                "'): " + e.what());
  }
}

std::vector<std::pair<std::string, Var>> LiveNodes::trainable_parameters() const {
  std::vector<std::pair<std::string, Var>> out;
  for (const LiveNode& node : nodes_)
    if (node.trainable())
      for (auto& [name, v] : node.module()->named_parameters()) out.emplace_back(node.spec->name + "." + name, v);
  return out;
}

NamedTensors LiveNodes::state_dict() const {
  NamedTensors out;
  for (const LiveNode& node : nodes_)
    if (node.module())
      for (auto& [name, t] : node.module()->state_dict()) out.emplace_back(node.spec->name + "." + name, t);
  return out;
}

}  // namespace sslflow::engine
