// SimSiam (Chen & He 2021, "Exploring Simple Siamese Representation Learning"), kind method.
//
// Two views' features x1, x2 (B, F) pass through one projector f and one predictor h:
// z = f(x), p = h(z). The loss is symmetric with a stop-gradient on the targets,
//   L = (D(p1, sg(z2)) + D(p2, sg(z1))) / 2,
// where D is the plugin-valued option `loss` (negative cosine by default) and sg is
// detach(), so no gradient reaches a target; each z is trained through its own p only.
//
// Projector: proj_layers Linear layers F -> proj_hidden -> ... -> proj_dim, BatchNorm and
// ReLU between them and BatchNorm (no affine) on the output, as the paper's ImageNet
// projector (proj_layers 3; 2 in its CIFAR variant). Predictor: proj_dim -> pred_dim with
// BatchNorm and ReLU -> proj_dim, as the paper's code (facebookresearch/simsiam, simsiam/
// builder.py lines 39-42: Linear(bias=False), BatchNorm1d, ReLU, Linear), the default; with
// pred_bn off, W2 ReLU(W1 z + b1) + b2 with both biases, as oxicuda-ssl's SimSiam (src/ssl/
// sim_siam.rs line 11 and SimSiam::predict, which also L2-normalises: normalize_outputs);
// or, with identity_predictor, the fixed exact identity of identity_predictor.hpp (pred_dim
// must then be 2 * proj_dim). Parameter names follow the reference implementation's
// nn.Sequential heads: "projector.0.weight", "predictor.3.bias" ("predictor.2.bias"
// without the batch norm).
//
// Metrics: collapse_std and z_std_ratio of the first view's projection z (sslflow/collapse_metrics.hpp).
//
// Ports: `input`, a repeated Features port taking exactly two connections, one per view
// (`inputs: [backbone.0, backbone.1]`); any other count fails in setup() with GraphError.
// Threading: forward() is called from one task at a time (Method's contract); the heads'
// batch norms see view 1 before view 2, as in the reference implementation.
#pragma once

#include <memory>

#include "identity_predictor.hpp"
#include "sslflow/interfaces/loss.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/nn/mlp.hpp"
#include "sslflow/params.hpp"

namespace sslflow::simsiam {

class SimSiam final : public Method {
 public:
  static Schema schema();
  static void check(const Params& params);  // identity_predictor needs pred_dim = 2 * proj_dim
  static Signature signature();
  explicit SimSiam(const Params& params);

  void setup(const InputShapes& shapes, const NodeSetup& context) override;
  StepOutput forward(const MethodInputs& inputs) override;

 private:
  Var project(const Var& x);
  Var predict(const Var& z);

  std::shared_ptr<Loss> loss_;
  int64_t proj_hidden_;
  int64_t proj_dim_;
  int64_t proj_layers_;
  bool proj_bn_;
  int64_t pred_dim_;
  bool pred_bn_;
  bool identity_predictor_;
  bool normalize_outputs_;
  nn::HeadInit init_;

  int64_t feature_dim_ = 0;
  std::shared_ptr<nn::Mlp> projector_;
  std::shared_ptr<nn::Mlp> predictor_;      // null with the identity predictor
  std::shared_ptr<IdentityPredictor> identity_;  // null without it
};

}  // namespace sslflow::simsiam
