// SimCLR (Chen et al. 2020, "A Simple Framework for Contrastive Learning of Visual
// Representations"), kind method.
//
// Two views' features x1, x2 (B, F) pass through one projection head g: z = g(x). The
// loss is the plugin-valued option `loss`, called as loss(z1, z2): by default nt_xent,
// SimCLR's contrastive loss, in which each projection must pick out its other view among
// the 2B - 1 other projections of the batch (its temperature set through the option:
// `loss: {plugin: nt_xent, temperature: 0.2}`). Nothing is detached: both views train.
//
// Projection head: proj_layers Linear layers F -> proj_hidden -> ... -> proj_dim with
// ReLU between them, and BatchNorm after each hidden layer when proj_bn (the Linear
// before it then has no bias); the output layer has a bias and no norm. That is the
// paper's 2-layer head g(h) = W2 ReLU(W1 h), with batch norm as lightly's
// SimCLRProjectionHead (the paper's code also normalises the output layer); layers are
// initialised as nn.Linear's default. Parameter names follow an nn.Sequential head:
// "projector.0.weight", "projector.1.running_mean", "projector.3.bias".
//
// Metrics: `contrastive_accuracy` (contrastive_accuracy.hpp), and collapse_std and
// z_std_ratio of the first view's projection z1 (sslflow/collapse_metrics.hpp); the engine logs
// the loss itself as `<node>.loss`.
//
// Ports: `input`, a repeated Features port taking exactly two connections, one per view
// (`inputs: [backbone.0, backbone.1]`); any other count fails in setup() with GraphError.
// Threading: forward() is called from one task at a time (Method's contract); the head's
// batch norms see view 1 before view 2.
#pragma once

#include <memory>

#include "sslflow/interfaces/loss.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/nn/mlp.hpp"
#include "sslflow/params.hpp"

namespace sslflow::simclr {

class SimClr final : public Method {
 public:
  static Schema schema();
  static Signature signature();
  explicit SimClr(const Params& params);

  void setup(const InputShapes& shapes, const NodeSetup& context) override;
  StepOutput forward(const MethodInputs& inputs) override;

 private:
  std::shared_ptr<Loss> loss_;
  int64_t proj_hidden_;
  int64_t proj_dim_;
  int64_t proj_layers_;
  bool proj_bn_;

  int64_t feature_dim_ = 0;
  std::shared_ptr<nn::Mlp> projector_;
};

}  // namespace sslflow::simclr
