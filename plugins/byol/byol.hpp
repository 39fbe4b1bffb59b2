// BYOL (Grill et al. 2020, "Bootstrap Your Own Latent"), kind method.
//
// The online network's prediction of each view regresses the target network's projection
// of the other view (online_target_method.hpp: heads, ports, the target projector's EMA):
//
//   L = mean_b [ (2 - 2 cos(q1, sg(k2))) + (2 - 2 cos(q2, sg(k1))) ]
//
// as the official code (google-deepmind/deepmind-research, byol/byol_experiment.py,
// _loss_fn: regression_loss of each view's prediction against the other view's
// stop-gradient target projection, summed, then jnp.mean over the batch; byol/utils/
// helpers.py regression_loss: sum((normalize(x) - normalize(y))**2, axis=-1), which is
// 2 - 2 cos(x, y)). Each term lies in [0, 4], the loss in [0, 8].
//
// Heads as the paper (its Section 3.3): the projector a 2-layer MLP F -> 4096 (BatchNorm,
// ReLU) -> 256, the predictor the same shape 256 -> 4096 -> 256, each as the official
// byol/networks.py MLP: Linear with a bias, BatchNorm, ReLU, Linear without a bias. The
// target projector and the target encoder (an
// EMA teacher node) follow the online ones at tau = 1 - (1 - tau_base) (cos(pi k / K) + 1)
// / 2 with tau_base 0.996: `schedule: {plugin: cosine, start: 0.996, end: 1.0}`.
#pragma once

#include "../online_target/online_target_method.hpp"

namespace sslflow::byol {

// BYOL's regression loss, (B, D) x (B, D) -> scalar: the mean over the batch of
// ||normalize(q) - normalize(k)||^2, which is 2 - 2 cos(q, k) (and 1 where one of the two
// is the zero vector, as the official code's).
Var regression_loss(const Var& q, const Var& k);

class Byol final : public online_target::OnlineTargetMethod {
 public:
  static Schema schema();
  static Signature signature();
  explicit Byol(const Params& params);

 protected:
  Var loss(const Var& q1, const Var& q2, const Var& k1, const Var& k2) const override;
};

}  // namespace sslflow::byol
