// WeightNormLinear: y = x W^T with W = g * V / ||V||, each output row of V normalised on
// its own, as torch.nn.utils.weight_norm(nn.Linear(in, out, bias=False)) (dim 0), DINO's
// last layer (facebookresearch/dino, vision_transformer.py, DINOHead.__init__).
//
// Tensors, with weight_norm's names: weight_v (out, in), drawn as nn.Linear's weight,
// U(-1/sqrt(in), 1/sqrt(in)); weight_g (out, 1), filled with 1 as DINOHead does. With a
// fixed norm (DINO's norm_last_layer) weight_g is a buffer that stays 1, so W = V / ||V||;
// otherwise a parameter. Composed of l2_normalize, mul and linear, so it needs no op of its own.
//
// freeze(true) stops every gradient into weight_v and weight_g, which then keep no
// gradient at all (the optimizer skips them), as utils.py's cancel_gradients_last_layer
// sets p.grad = None; x still gets its gradient.
// Threading: forward() may run concurrently; freeze() not while forward() runs.
#pragma once

#include <cstdint>

#include "sslflow/module.hpp"
#include "sslflow/random.hpp"

namespace sslflow::dino {

class WeightNormLinear final : public Module {
 public:
  WeightNormLinear(int64_t in_features, int64_t out_features, bool fixed_norm, Rng& rng);

  Var forward(const Var& x) const;  // (N, in) -> (N, out)
  void freeze(bool frozen) { frozen_ = frozen; }
  bool frozen() const { return frozen_; }

 private:
  Var weight_v_;
  Var weight_g_;  // undefined with a fixed norm (the buffer weight_g holds its 1s)
  bool frozen_ = false;
};

}  // namespace sslflow::dino
