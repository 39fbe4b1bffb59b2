// OnlineTargetMethod: what BYOL (Grill et al. 2020) and MoCo v3 (Chen, Xie & He 2021)
// share, a method base class (kind method); each subclass adds its schema and its loss.
//
// An online network (the encoder, a projector g and a predictor q) is trained to predict a
// target network's projections of the other view. The target network is an EMA of the
// online one, in two parts: its encoder is an EMA teacher node of the pipeline
// (`teacher: {ema_of: backbone, ...}`), and its projector g' is this method's own EmaCopy
// of g (sslflow/ema.hpp), which starts as an exact copy of g, is never trained, and after
// every step follows it, g' <- m g' + (1 - m) g, at the momentum m of the option
// `schedule` (an ema_scheduler plugin), the same schedule the teacher node should use.
//
//   q1 = q(g(x1)), q2 = q(g(x2))      online predictions of the online views x1, x2
//   k1 = g'(t1),   k2 = g'(t2)        target projections of the target views t1, t2, no gradient
//   L  = loss(q1, q2, k1, k2)         the subclass's symmetric objective
//
// Heads, as nn::Mlp (sslflow/nn/mlp.hpp) with nn.Sequential's names: projector g
// ("projector.*") proj_layers Linear layers F -> proj_hidden -> ... -> proj_dim with
// BatchNorm and ReLU between them; predictor q ("predictor.*") proj_dim -> pred_hidden
// (BatchNorm, ReLU) -> proj_dim; target projector g' ("target_projector.*", buffers, not
// parameters). Which Linear layers have a bias, and whether g ends in a BatchNorm without
// affine parameters, is the subclass's HeadStyle, as its reference code builds them.
//
// Options read here (each subclass declares them with its paper's defaults): proj_hidden,
// proj_dim, proj_layers, pred_hidden, schedule.
//
// Ports: `input`, the online views' features (B, F), two connections in view order
// (`inputs: [backbone.0, backbone.1]`); `target`, the target encoder's features of the same
// two views, (B, F) each, in the same order (`targets: [teacher.0, teacher.1]`). Another
// number of connections on either port fails in setup() and forward() with a GraphError
// naming the method and the port; other shapes with a ShapeError.
// Metrics: collapse_std and z_std_ratio of the online projection of view 1
// (sslflow/collapse_metrics.hpp), and target_momentum, the momentum of g''s last update.
// Threading: forward() and end_step() are called from one task at a time (Method's contract).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sslflow/ema.hpp"
#include "sslflow/interfaces/ema_scheduler.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/nn/mlp.hpp"
#include "sslflow/params.hpp"

namespace sslflow::online_target {

// The port of the target views, for a subclass's signature(), after two_views::port().
PortSpec target_port();

// How the reference code builds both heads.
struct HeadStyle {
  bool bias_before_norm;       // a Linear followed by a BatchNorm has a bias
  bool output_bias;            // the heads' last Linear has a bias (unless a norm follows)
  bool projector_output_norm;  // g ends in a BatchNorm without affine parameters
};

class OnlineTargetMethod : public Method {
 public:
  void setup(const InputShapes& shapes, const NodeSetup& context) final;
  StepOutput forward(const MethodInputs& inputs) final;

 protected:
  // `name` is the plugin's name, which starts every error.
  OnlineTargetMethod(std::string name, const Params& params, HeadStyle style);

  // The subclass's objective from the online predictions q1, q2 (B, proj_dim) and the
  // target projections k1, k2 (B, proj_dim), which carry no gradient.
  virtual Var loss(const Var& q1, const Var& q2, const Var& k1, const Var& k2) const = 0;

  // g' follows g at the schedule's momentum for the step just taken.
  void on_end_step(int64_t step, int64_t total_steps) override;

 private:
  std::string name_;
  int64_t proj_hidden_;
  int64_t proj_dim_;
  int64_t proj_layers_;
  int64_t pred_hidden_;
  HeadStyle style_;
  std::shared_ptr<EmaScheduler> schedule_;

  int64_t feature_dim_ = 0;
  double target_momentum_;  // of the last update; the schedule's first value before any
  std::shared_ptr<nn::Mlp> projector_;
  std::shared_ptr<nn::Mlp> predictor_;
  std::shared_ptr<EmaCopy> target_projector_;
};

}  // namespace sslflow::online_target
