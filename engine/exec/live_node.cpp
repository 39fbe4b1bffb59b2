#include "exec/live_node.hpp"

#include "exec/error_context.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/safetensors.hpp"

namespace sslflow::engine {

LiveNode::~LiveNode() = default;

std::vector<PortId> LiveNode::reads(int) const { return {}; }

void LiveNode::run(int, StepValues&) {}

void LiveNode::begin_step(int64_t step, int64_t total) {
  if (Module* m = module()) m->begin_step(step, total);
}

void LiveNode::end_step(int64_t step, int64_t total, Metrics&) {
  if (Module* m = module()) m->end_step(step, total);
}

void LiveNode::load_weights() const {
  NamedTensors selected;
  for (auto& [name, tensor] : io::read_safetensors(spec_.load_path).tensors)
    if (name.starts_with(spec_.load_prefix)) selected.emplace_back(name.substr(spec_.load_prefix.size()), tensor);
  try {
    module()->load_state_dict(selected);
  } catch (const Error& e) {
    throw Error(node_context(spec_) + ": loading " + spec_.load_path + " (prefix '" + spec_.load_prefix + "'): " + e.what());
  }
}

}  // namespace sslflow::engine
