#include "sslflow/nn/sequential.hpp"

#include <utility>

#include "sslflow/ops.hpp"

namespace sslflow::nn {

void Sequential::append_step(Function step, std::shared_ptr<BatchNorm> norm) {
  steps_.push_back(std::move(step));
  last_norm_ = std::move(norm);
  ++positions_;
}

void Sequential::add(Function function) { append_step(std::move(function), nullptr); }

void Sequential::add_relu() {
  if (!last_norm_) return add([](const Var& x) { return relu(x); });
  steps_.back() = [norm = last_norm_](const Var& x) { return norm->forward_relu(x); };
  last_norm_ = nullptr;
  ++positions_;
}

Var Sequential::forward(const Var& x) {
  Var h = x;
  for (const Function& step : steps_) h = step(h);
  return h;
}

}  // namespace sslflow::nn
