// Barlow Twins (Zbontar, Jing, Misra, LeCun & Deny 2021, "Barlow Twins: Self-Supervised
// Learning via Redundancy Reduction"), kind method.
//
// Two views' features x1, x2 (B, F) pass through one projector f, z = f(x), and one
// BatchNorm1d without affine parameters, bn (the official code's self.bn, applied to
// each view in training mode). The loss on the cross-correlation c = bn(z1)^T bn(z2) / B
// (D, D) is
//   L = sum_i (1 - c_ii)^2 + lambda * sum_{i != j} c_ij^2
// (cross_correlation.hpp): c is pushed toward the identity, so the views agree coordinate
// by coordinate and the coordinates carry no redundant information. Nothing is detached
// and there are no negatives.
//
// This follows the current official main.py (facebookresearch/barlowtwins, --lambd 0.0051
// and no loss scale). Its first published version also multiplied both terms by
// --scale-loss 0.024 (issue #9); with SGD a constant loss scale is a learning-rate scale,
// as its authors say (issue #23), so it is not an option here.
//
// Projector: proj_layers Linear layers F -> proj_hidden -> ... -> proj_dim, each but the
// last followed by BatchNorm and ReLU, with no bias anywhere, exactly as main.py's
// projector (Linear(bias=False), BatchNorm1d, ReLU, ..., Linear(bias=False)); nn.Linear's
// default initialisation. Parameter and buffer names follow the reference module:
// "projector.0.weight", "projector.1.weight", ..., "projector.6.weight", and the output
// norm's running statistics "bn.running_mean", "bn.running_var".
//
// Metrics: `on_diagonal` and `off_diagonal` (the terms, off_diagonal before lambda), and
// collapse_std and z_std_ratio of the first view's projection z1
// (sslflow/collapse_metrics.hpp); the engine logs the loss itself as `<node>.loss`.
//
// Ports: `input`, a repeated Features port taking exactly two connections, one per view
// (`inputs: [backbone.0, backbone.1]`); any other count fails in setup() with GraphError.
// forward() throws ShapeError for batches of fewer than 2 samples, which batch norm cannot
// normalise. Threading: forward() is called from one task at a time (Method's contract);
// the batch norms see view 1 before view 2, as in the reference implementation.
#pragma once

#include <memory>

#include "sslflow/interfaces/method.hpp"
#include "sslflow/nn/batch_norm.hpp"
#include "sslflow/nn/mlp.hpp"
#include "sslflow/params.hpp"

namespace sslflow::barlow_twins {

class BarlowTwins final : public Method {
 public:
  static Schema schema();
  static Signature signature();
  explicit BarlowTwins(const Params& params);

  void setup(const InputShapes& shapes, const NodeSetup& context) override;
  StepOutput forward(const MethodInputs& inputs) override;

 private:
  int64_t proj_hidden_;
  int64_t proj_dim_;
  int64_t proj_layers_;
  float lambda_;

  int64_t feature_dim_ = 0;
  std::shared_ptr<nn::Mlp> projector_;
  std::shared_ptr<nn::BatchNorm> bn_;
};

}  // namespace sslflow::barlow_twins
