#include "sslflow/ema.hpp"

#include <string>
#include <utility>

#include "sslflow/error.hpp"

namespace sslflow {

namespace {

// A module's own parameters and buffers (not its children's) carry names without a dot.
bool own(const std::string& name) { return name.find('.') == std::string::npos; }

// Registers on `into` every tensor of `from` as a buffer of the same name (the same shared
// storage), and a mirror of every child as a child of the same name, so that `into`'s
// state_dict() reads and writes `from`'s tensors under `from`'s names.
void mirror_as_buffers(Module& into, const Module& from);

class BufferMirror final : public Module {
 public:
  explicit BufferMirror(const Module& from) { mirror_as_buffers(*this, from); }
};

void mirror_as_buffers(Module& into, const Module& from) {
  for (const auto& [name, parameter] : from.named_parameters())
    if (own(name)) into.register_buffer(name, parameter.value());
  for (const auto& [name, buffer] : from.named_buffers())
    if (own(name)) into.register_buffer(name, buffer);
  for (const auto& [name, child] : from.children()) into.register_module(name, std::make_shared<BufferMirror>(*child));
}

// target <- m * target + (1 - m) * source, pair by pair; both lists in one order.
void average(const NamedTensors& target, const NamedTensors& source, double momentum) {
  if (target.size() != source.size())
    throw Error("EMA: the teacher has " + std::to_string(target.size()) + " tensors, its student " +
                std::to_string(source.size()));
  const float m = static_cast<float>(momentum);
  for (size_t k = 0; k < target.size(); ++k) {
    if (target[k].first != source[k].first || !(target[k].second.shape() == source[k].second.shape()))
      throw Error("EMA: teacher tensor '" + target[k].first + "' does not match student tensor '" + source[k].first + "'");
    Tensor t = target[k].second;  // a handle: the update writes the module's storage
    const float* s = source[k].second.data();
    for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = m * t.data()[i] + (1.0f - m) * s[i];
  }
}

NamedTensors parameter_values(const Module& module) {
  NamedTensors out;
  for (const auto& [name, parameter] : module.named_parameters()) out.emplace_back(name, parameter.value());
  return out;
}

}  // namespace

void ema_update(Module& teacher, const Module& student, double momentum) {
  average(teacher.state_dict(), student.state_dict(), momentum);
}

EmaCopy::EmaCopy(std::shared_ptr<nn::Sequential> copy, const Module& source) : copy_(std::move(copy)) {
  if (!copy_) throw Error("EmaCopy: null copy");
  copy_->load_state_dict(source.state_dict());
  for (auto& [_, parameter] : copy_->named_parameters()) parameter.set_requires_grad(false);
  mirror_as_buffers(*this, *copy_);
}

Var EmaCopy::forward(const Var& x) {
  if (copy_->is_training() != is_training()) copy_->train(is_training());
  NoGrad no_grad;
  return copy_->forward(x);
}

void EmaCopy::follow(const Module& source, double momentum) {
  average(parameter_values(*copy_), parameter_values(source), momentum);
}

void EmaCopy::on_end_step(int64_t step, int64_t total_steps) { copy_->end_step(step, total_steps); }

}  // namespace sslflow
