// VICReg (Bardes, Ponce & LeCun 2022, "VICReg: Variance-Invariance-Covariance
// Regularization for Self-Supervised Learning"), kind method.
//
// Two views' features x1, x2 (B, F) pass through one expander h: z = h(x). The loss is
//   L = sim_coeff * invariance + std_coeff * variance + cov_coeff * covariance
// with the terms of vicreg_terms.hpp: the views' mean squared difference, a hinge that
// keeps every coordinate's standard deviation over the batch at 1 or above, and the
// squared off-diagonal covariances. Nothing is detached and there are no negatives: the
// variance and covariance terms alone keep the embeddings from collapsing.
//
// Expander: proj_layers Linear layers F -> proj_hidden -> ... -> proj_dim, BatchNorm and
// ReLU after all but the last, exactly as the official Projector (facebookresearch/vicreg,
// main_vicreg.py): the hidden Linears keep nn.Linear's bias, the last has none
// (bias=False) and no norm; nn.Linear's default initialisation. Parameter names follow
// that nn.Sequential: "projector.0.weight", "projector.0.bias", "projector.1.weight", ...,
// "projector.6.weight".
//
// Metrics: `invariance`, `variance` and `covariance` (each term before its coefficient),
// and collapse_std and z_std_ratio of the first view's embedding z1
// (sslflow/collapse_metrics.hpp); the engine logs the loss itself as `<node>.loss`.
//
// Ports: `input`, a repeated Features port taking exactly two connections, one per view
// (`inputs: [backbone.0, backbone.1]`); any other count fails in setup() with GraphError.
// forward() throws ShapeError for batches of fewer than 2 samples, whose variance is
// undefined. Threading: forward() is called from one task at a time (Method's contract);
// the expander's batch norms see view 1 before view 2, as in the reference implementation.
#pragma once

#include <memory>

#include "sslflow/interfaces/method.hpp"
#include "sslflow/nn/mlp.hpp"
#include "sslflow/params.hpp"

namespace sslflow::vicreg {

class VicReg final : public Method {
 public:
  static Schema schema();
  static Signature signature();
  explicit VicReg(const Params& params);

  void setup(const InputShapes& shapes, const NodeSetup& context) override;
  StepOutput forward(const MethodInputs& inputs) override;

 private:
  int64_t proj_hidden_;
  int64_t proj_dim_;
  int64_t proj_layers_;
  float sim_coeff_;
  float std_coeff_;
  float cov_coeff_;

  int64_t feature_dim_ = 0;
  std::shared_ptr<nn::Mlp> projector_;
};

}  // namespace sslflow::vicreg
