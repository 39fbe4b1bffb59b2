// IdentityPredictor: a predictor that returns its input exactly, built as a two-layer
// ReLU network with fixed weights: hidden h = [ReLU(p); ReLU(-p)] = ReLU(split p) with
// split = [I; -I] (2D, D), output merge h = p+ - p- = p with merge = [I, -I] (D, 2D).
// One of p+ and p- is zero in every coordinate, so the output equals p bit for bit and the
// prediction keeps the projection's direction. The weights are buffers ("split",
// "merge"), never trained; gradients pass through to p.
#pragma once

#include "sslflow/module.hpp"

namespace sslflow::simsiam {

class IdentityPredictor final : public Module {
 public:
  explicit IdentityPredictor(int64_t dim);
  Var forward(const Var& p) const;  // (B, D) -> (B, D)

 private:
  Tensor split_;  // (2D, D)
  Tensor merge_;  // (D, 2D)
};

}  // namespace sslflow::simsiam
