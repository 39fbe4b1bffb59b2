// Sequential: layers applied in order, named by position as torch.nn.Sequential names its
// children ("0", "1", ...), so parameter names ("3.weight", "1.running_mean") match the
// equivalent PyTorch module's and a state dict moves between the two unchanged.
//
// A layer is a child module with a `Var forward(const Var&)`, or a function without state
// (ReLU, GELU) that takes a position and holds no tensors, as in PyTorch. add_relu() right
// after a BatchNorm runs the two as one step (BatchNorm::forward_relu: the same values and
// gradients, one pass over memory fewer).
//
// Threading: forward() may run concurrently when every layer's forward may (see the
// layers' own contracts; a BatchNorm in training mode stages its update per application).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sslflow/module.hpp"
#include "sslflow/nn/batch_norm.hpp"

namespace sslflow::nn {

class SSLFLOW_EXPORT Sequential : public Module {
 public:
  using Function = std::function<Var(const Var&)>;

  // Appends `layer` at the next position and returns it.
  template <class M>
  std::shared_ptr<M> add(std::shared_ptr<M> layer) {
    register_module(std::to_string(positions_), layer);
    std::shared_ptr<BatchNorm> norm;
    if constexpr (std::is_base_of_v<BatchNorm, M>) norm = layer;
    append_step([layer](const Var& x) { return layer->forward(x); }, std::move(norm));
    return layer;
  }
  // Appends a function without state at the next position.
  void add(Function function);
  // Appends a ReLU; fused with the layer before when that is a BatchNorm.
  void add_relu();

  Var forward(const Var& x);
  int64_t size() const { return positions_; }  // positions taken, functions included

 private:
  void append_step(Function step, std::shared_ptr<BatchNorm> norm);

  std::vector<Function> steps_;
  std::shared_ptr<BatchNorm> last_norm_;  // the last step's BatchNorm, when it is one
  int64_t positions_ = 0;
};

}  // namespace sslflow::nn
