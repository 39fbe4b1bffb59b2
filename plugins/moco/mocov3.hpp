// MoCo v3 (Chen, Xie & He 2021, "An Empirical Study of Training Self-Supervised Vision
// Transformers"), kind method.
//
// The queries q (online predictions) of each view must pick out, among the batch's
// momentum keys k of the other view, the key of the same image (online_target_method.hpp:
// heads, ports, the momentum projector's EMA):
//
//   L = ctr(q1, k2) + ctr(q2, k1),
//   ctr(q, k) = CrossEntropy(normalize(q) normalize(k)^T / T, labels = arange(N)) * 2T
//
// as the official code (facebookresearch/moco-v3, moco/builder.py, MoCo.contrastive_loss
// and MoCo.forward; one process, so concat_all_gather is the identity and the labels start
// at 0). v3 has no queue: the negatives are the other keys of the batch.
//
// Heads as moco/builder.py's _build_mlp: the projector 3 layers F -> 4096 -> 4096 -> 256,
// each hidden layer Linear(bias=False), BatchNorm1d, ReLU, the output Linear(bias=False)
// and BatchNorm1d(affine=False) (MoCo_ViT; MoCo_ResNet builds 2 layers); the predictor
// 256 -> 4096 (BatchNorm, ReLU) -> Linear(bias=False) to 256 without output norm
// (MoCo_ResNet's last_bn=False; MoCo_ViT's predictor keeps the norm). The momentum
// projector and the momentum
// encoder follow at m = 1 - (1 - m0) (cos(pi k / K) + 1) / 2 (main_moco.py,
// adjust_moco_momentum, with --moco-m-cos), m0 0.99 for ResNet-50 (--moco-m default).
#pragma once

#include "../online_target/online_target_method.hpp"

namespace sslflow::moco {

// ctr(q, k) = CrossEntropy(normalize(q) normalize(k)^T / T, arange(N)) * 2T for
// (N, D) queries and keys: MoCo v3's contrastive loss.
Var contrastive_loss(const Var& q, const Var& k, float temperature);

class MocoV3 final : public online_target::OnlineTargetMethod {
 public:
  static Schema schema();
  static Signature signature();
  explicit MocoV3(const Params& params);

 protected:
  Var loss(const Var& q1, const Var& q2, const Var& k1, const Var& k2) const override;

 private:
  float temperature_;
};

}  // namespace sslflow::moco
