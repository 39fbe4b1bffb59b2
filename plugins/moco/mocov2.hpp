// MoCo v2 (Chen, Fan, Girshick & He 2020, "Improved Baselines with Momentum Contrastive
// Learning"; MoCo: He, Fan, Wu, Xie & Girshick 2020), kind method.
//
// The query q of one view must pick out its key k, the momentum encoder's view of the same
// image, among the keys of earlier batches kept in a queue Q (D, K):
//
//   q = normalize(g(x)), k = normalize(g'(t)) without gradient
//   L = CrossEntropy([q . k, q Q] / T, label 0)
//
// as the official code (facebookresearch/moco, moco/builder.py, MoCo.forward, in one
// process: concat_all_gather is the identity). After the step the batch's keys replace the
// queue's oldest columns (MoCo._dequeue_and_enqueue; the official code asserts that K is a
// multiple of the batch, here the columns wrap around), and the key projector g' follows g
// at the momentum of the option `schedule`, the same schedule the key encoder's teacher
// node should use (MoCo._momentum_update_key_encoder: m 0.999, constant).
//
// Head, as main_moco.py's --mlp (MoCo v2): g = Linear(F, H), ReLU, Linear(H, D), both with
// a bias and no norm, H the features' width (encoder.fc's in_features) unless proj_hidden
// says otherwise; names "projector.0.*", "projector.2.*"; the key projector's
// "key_projector.*", buffers. The queue starts as normalised Gaussian columns (builder.py:
// randn(dim, K), normalize(dim=0)) from the node's init stream; "queue" (D, K) and
// "queue_ptr" (1; the next column, stored as a float, exact below 2^24) are buffers, in
// every checkpoint, so a resumed run continues with the same negatives.
//
// Ports: `query`, the online encoder's features (B, F) of the query view; `key`, the key
// encoder's (an EMA teacher node's) features (B, F) of the other view. Another shape fails
// in setup() and forward() with a ShapeError naming the method and the port.
// Metrics: collapse_std and z_std_ratio of the query projection (sslflow/collapse_metrics.hpp),
// key_momentum (of g''s last update) and positive_rank1, the fraction of queries whose own
// key scores above every key in the queue.
// Threading: forward() and end_step() are called from one task at a time (Method's contract).
#pragma once

#include <cstdint>
#include <memory>

#include "sslflow/ema.hpp"
#include "sslflow/interfaces/ema_scheduler.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/nn/mlp.hpp"
#include "sslflow/params.hpp"

namespace sslflow::moco {

// MoCo's logits (B, 1 + K), [q . k, q queue], for (B, D) queries q and keys k, each row of
// unit length, and a (D, K) queue of unit-length columns: column 0 holds each query's
// positive, the others its negatives.
Var queue_logits(const Var& q, const Var& k, const Tensor& queue);

class MocoV2 final : public Method {
 public:
  static Schema schema();
  static Signature signature();
  explicit MocoV2(const Params& params);

  void setup(const InputShapes& shapes, const NodeSetup& context) override;
  StepOutput forward(const MethodInputs& inputs) override;

 protected:
  // g' follows g, then the step's keys enter the queue.
  void on_end_step(int64_t step, int64_t total_steps) override;

 private:
  float temperature_;
  int64_t proj_hidden_;
  int64_t proj_dim_;
  int64_t queue_size_;
  std::shared_ptr<EmaScheduler> schedule_;

  int64_t feature_dim_ = 0;
  double key_momentum_;  // of the last update; the schedule's first value before any
  std::shared_ptr<nn::Mlp> projector_;
  std::shared_ptr<EmaCopy> key_projector_;
  Tensor queue_;      // (D, K)
  Tensor queue_ptr_;  // (1)
  Tensor step_keys_;  // (B, D): this step's normalised keys, enqueued after the step
};

}  // namespace sslflow::moco
