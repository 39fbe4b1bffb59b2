// data2vec (Baevski et al. 2022), kind method: a student that sees a masked input regresses,
// at every masked token, the representation an EMA teacher gives the full input: the
// average of the teacher's top-K block outputs, normalised (targets.hpp).
//
// The defaults are data2vec's vision recipe: the top 6 blocks, each layer-normalised per
// token, averaged and layer-normalised again. One setting gives each other source's form:
// `block_norm: none` is stable-pretraining's Data2Vec (the mean of the top 6 blocks, then one
// layer norm); `block_norm: instance_norm` data2vec 2.0's (each block instance-normalised
// over the tokens, then one layer norm; top_k 10 there); `target_norm: rms` with
// `block_norm: none`, `top_k: 1` and `head: none` oxicuda-ssl's Data2VecModel.
//
// Ports: `student` (Tokens (B, T, D): the student's final tokens on the masked input),
// `teacher` (Blocks: the teacher's block outputs on the full input, each (B, T, D)),
// `mask` (Mask (B, T): 1 marks a masked token). Only masked tokens enter the loss.
//
// The prediction at the masked tokens goes through a linear regression head (D -> D) or
// none, and is compared with the target as an (N, D) matrix of the N masked tokens: by
// smooth-L1 with `beta`, averaged over the features and then over the masked tokens
// (stable-pretraining's methods/data2vec.py lines 191-194), or by the `loss` plugin when one
// is given (a mean reduction averages the same way). oxicuda-ssl's data2vec_batch_loss
// averages each sample's mean instead: the same when every sample has as many masked tokens,
// as patch_mask gives.
//
// Metrics: target_std and pred_std (the standard deviation of each feature over the masked
// tokens, averaged over features: a prediction collapsing to a constant shows as pred_std
// near 0) and masked_fraction (N / (B T)).
// Threading: forward() is called from one task at a time (interfaces/method.hpp).
#pragma once

#include <memory>

#include "sslflow/interfaces/loss.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/nn/linear.hpp"
#include "sslflow/params.hpp"
#include "targets.hpp"

namespace sslflow::data2vec {

class Data2Vec final : public Method {
 public:
  static Schema schema();
  static Signature signature();
  explicit Data2Vec(const Params& params);

  void setup(const InputShapes& shapes, const NodeSetup& context) override;
  StepOutput forward(const MethodInputs& inputs) override;

 private:
  void check_inputs(const Var& student, const Packet& teacher, const Tensor& mask) const;

  TargetSpec target_;
  bool linear_head_;
  float beta_;
  std::shared_ptr<Loss> loss_;  // null: smooth-L1 with beta_
  std::shared_ptr<nn::Linear> head_;
  Shape token_shape_;  // (T, D)
};

}  // namespace sslflow::data2vec
