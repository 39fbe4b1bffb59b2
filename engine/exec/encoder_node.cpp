#include "exec/encoder_node.hpp"

#include <optional>

#include "exec/plugin_factory.hpp"
#include "sslflow/autograd.hpp"
#include "sslflow/nn/application.hpp"

namespace sslflow::engine {

EncoderNode::EncoderNode(const NodeSpec& spec, size_t index, const PortTable& ports)
    : EncoderNode(spec, index, ports, spec.name) {}

EncoderNode::EncoderNode(const NodeSpec& spec, size_t index, const PortTable& ports, std::string init_name)
    : LiveNode(spec, index), init_name_(std::move(init_name)), encoder_(build<Encoder>(spec.plugin, node_context(spec))) {
  for (const PortRef& ref : spec.connections(Encoder::kInput)) inputs_.push_back(ref.id);
  if (const auto& mask = spec.connections(Encoder::kMask); !mask.empty()) mask_ = mask.front().id;
  for (int a = 0; a < spec.applications(); ++a)
    outputs_.push_back({ports.find_output(index, a, Encoder::kOut), ports.find_output(index, a, Encoder::kTokens),
                        ports.find_output(index, a, Encoder::kBlocks)});
}

void EncoderNode::initialise(const SetupPass& pass) {
  if (pass.load_weights() && !spec().load_path.empty()) load_weights();
}

void EncoderNode::setup(SetupPass& pass) {
  in_phase("in setup", [&] { encoder_->setup(pass.shapes(inputs_.at(0)).at(0), pass.node_setup(init_name_)); });
  initialise(pass);
  {
    NoGrad no_grad;
    encoder_->eval();
    in_phase("in its forward of two samples at setup", [&] {
      for (int a = 0; a < applications(); ++a) run(a, pass.dry_values());
    });
    encoder_->train(!spec().frozen);
  }
  for (int a = 0; a < applications(); ++a)
    for (PortId id : pass.ports().outputs(index(), a)) pass.record(id);
}

PortId EncoderNode::input(int application) const {
  return inputs_.at(inputs_.size() > 1 ? static_cast<size_t>(application) : 0);
}

std::vector<PortId> EncoderNode::reads(int application) const {
  std::vector<PortId> ids{input(application)};
  if (mask_) ids.push_back(*mask_);
  return ids;
}

void EncoderNode::run(int application, StepValues& values) {
  const Var& x = values[input(application)].value();
  const Tensor mask = mask_ ? values[*mask_].value().value() : Tensor();
  Encoder::Output out;
  {
    std::optional<NoGrad> no_grad_guard;
    if (no_grad()) no_grad_guard.emplace();
    nn::ApplicationScope scope(application);
    out = encoder_->forward(x, mask);
  }
  const Outputs& ports = outputs_.at(static_cast<size_t>(application));
  if (ports.out) values[*ports.out] = Packet{{out.features}};
  if (ports.tokens && out.tokens.defined()) values[*ports.tokens] = Packet{{out.tokens}};
  if (ports.blocks && !out.blocks.empty()) values[*ports.blocks] = Packet{out.blocks};
}

}  // namespace sslflow::engine
