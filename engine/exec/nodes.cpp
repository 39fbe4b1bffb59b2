#include "exec/nodes.hpp"

#include <algorithm>

#include "exec/error_context.hpp"
#include "exec/method_node.hpp"
#include "exec/teacher_node.hpp"
#include "sslflow/error.hpp"

namespace sslflow::engine {

LiveNodes::LiveNodes(const PipelineGraph& graph) : graph_(graph) {
  const PortTable& ports = graph.ports();
  std::vector<TeacherNode*> teachers;
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const NodeSpec& spec = graph.nodes()[i];
    const std::string& kind = spec.plugin.kind;
    if (spec.is_teacher() && kind == Encoder::kKind) {
      auto node = std::make_unique<TeacherNode>(spec, i, ports);
      teachers.push_back(node.get());
      encoders_.push_back(node.get());
      nodes_.push_back(std::move(node));
    } else if (spec.is_teacher()) {
      throw GraphError("teacher '" + spec.name + "' must follow an encoder node, and '" + spec.ema_of + "' is not one");
    } else if (kind == Encoder::kKind) {
      auto node = std::make_unique<EncoderNode>(spec, i, ports);
      encoders_.push_back(node.get());
      nodes_.push_back(std::move(node));
    } else if (kind == Transform::kKind) {
      nodes_.push_back(std::make_unique<TransformNode>(spec, i, ports));
    } else if (kind == Method::kKind) {
      nodes_.push_back(std::make_unique<MethodNode>(spec, i));
    } else {
      throw GraphError("node '" + spec.name + "': a " + kind + " plugin cannot be a graph node");
    }
  }
  for (TeacherNode* teacher : teachers) {
    const std::string& student = teacher->spec().ema_of;
    auto followed = std::find_if(encoders_.begin(), encoders_.end(),
                                 [&](const EncoderNode* node) { return node->spec().name == student; });
    if (followed == encoders_.end())
      throw GraphError("teacher '" + teacher->spec().name + "' must follow an encoder node, and '" + student +
                       "' is not one");
    teacher->follow(**followed);
  }
  for (size_t i : graph.order())
    if (auto* transform = dynamic_cast<const TransformNode*>(nodes_[i].get())) transforms_.push_back(transform);
}

void LiveNodes::setup(const Shape& sample_shape, uint64_t seed, int64_t steps_per_epoch, Weights weights) {
  SetupPass pass(ports(), seed, steps_per_epoch, weights == Weights::Load);
  pass.provide(PortTable::kImage, sample_shape);
  pass.provide(PortTable::kLabel, Shape{});
  for (size_t i : graph_.order()) nodes_[i]->setup(pass);
}

Encoder& LiveNodes::encoder(const std::string& name) {
  for (const EncoderNode* node : encoders_)
    if (name.empty() ? !node->spec().is_teacher() : node->spec().name == name) return node->encoder();
  if (name.empty()) throw GraphError("the pipeline has no encoder node that is not a teacher");
  throw GraphError("node '" + name + "' is not an encoder");
}

std::vector<std::pair<std::string, Var>> LiveNodes::trainable_parameters() const {
  std::vector<std::pair<std::string, Var>> out;
  for (const auto& node : nodes_)
    if (node->trainable())
      for (auto& [name, v] : node->module()->named_parameters()) out.emplace_back(node->spec().name + "." + name, v);
  return out;
}

NamedTensors LiveNodes::state_dict() const {
  NamedTensors out;
  for (const auto& node : nodes_)
    if (const Module* m = node->module())
      for (auto& [name, t] : m->state_dict()) out.emplace_back(node->spec().name + "." + name, t);
  return out;
}

void LiveNodes::load_state_dict(const NamedTensors& state) {
  for (const auto& node : nodes_) {
    Module* m = node->module();
    if (!m) continue;
    const std::string prefix = node->spec().name + ".";
    NamedTensors own;
    for (const auto& [name, t] : state)
      if (name.starts_with(prefix)) own.emplace_back(name.substr(prefix.size()), t);
    m->load_state_dict(own);
  }
}

}  // namespace sslflow::engine
