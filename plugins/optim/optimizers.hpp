// The shipped optimizers (kind optimizer), each the update rule of its PyTorch or reference
// implementation, in float32 as PyTorch computes it. For a parameter p with gradient g at
// learning rate lr, wd the weight decay where it applies (0 elsewhere):
//
//   sgd    d = g + wd * p; b = mu * b + d; d = nesterov ? d + mu * b : b; p -= lr * d
//          (torch.optim.SGD without dampening; no buffer when mu = 0)
//   adamw  p *= 1 - lr * wd; m = b1 * m + (1 - b1) * g; v = b2 * v + (1 - b2) * g^2;
//          p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
//          (torch.optim.AdamW; t counts this parameter's updates)
//   lars   d = g + wd * p; r = eta * |p| / |d| where p is decayed and both norms are
//          non-zero, else 1; b = mu * b + lr * r * d; p -= b
//          (SimCLR's and BYOL's LARS: the trust ratio scales the rate inside the momentum)
//
// Threading and state: see SlotOptimizer.
#pragma once

#include "slot_optimizer.hpp"

namespace sslflow::optim {

class Sgd final : public SlotOptimizer {
 public:
  static Schema schema();
  explicit Sgd(const Params& params);
  static void check(const Params& params);  // nesterov needs momentum > 0

 private:
  void update(Parameter& parameter, const Tensor& grad, double lr) const override;

  float momentum_;
  bool nesterov_;
};

class AdamW final : public SlotOptimizer {
 public:
  static Schema schema();
  explicit AdamW(const Params& params);
  static void check(const Params& params);  // betas below 1

 private:
  void update(Parameter& parameter, const Tensor& grad, double lr) const override;

  double beta1_;
  double beta2_;
  float eps_;
};

class Lars final : public SlotOptimizer {
 public:
  static Schema schema();
  explicit Lars(const Params& params);

 private:
  void update(Parameter& parameter, const Tensor& grad, double lr) const override;

  float momentum_;
  double eta_;
};

}  // namespace sslflow::optim
