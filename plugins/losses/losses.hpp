// The shipped losses (kind loss): each compares a prediction with a target and returns a
// scalar.
//
//   negative_cosine  mean over vectors of -cos(pred, target) along the last dimension   (SimSiam, BYOL)
//   smooth_l1        Huber with transition beta, averaged or summed over elements        (data2vec)
//   mse              squared error, averaged or summed over elements                     (MAE)
//   cross_entropy    pred (N, C) logits, target (N) class ids stored as floats            (BEiT, probes)
//   commitment       beta * mean((z - q)^2), the caller passing sg(q)                      (VQ-VAE)
//   nt_xent          pred z1 and target z2 (N, D), the two views' projections of N images  (SimCLR)
//
// nt_xent is SimCLR's normalised-temperature cross-entropy (Chen et al. 2020; lightly's
// NTXentLoss without a memory bank). The 2N projections [z1; z2] are L2-normalised; each
// is an anchor whose logits are its cosine similarities to the 2N - 1 others, divided by
// the temperature T, and whose class is its other view: row i of z1 pairs with row i of z2.
// The loss is the cross-entropy averaged over the 2N anchors,
//   L = -1/2N sum_a log( exp(s(a, a+) / T) / sum_{b != a} exp(s(a, b) / T) ).
// Self-similarities are left out of the logits by construction (not masked with a large
// negative), and the logits are bounded by 1/T, so a small T neither overflows nor gives
// inf - inf. It needs N >= 2 pairs; swapping z1 and z2, or permuting the pairs, leaves it
// unchanged.
//
// None of them detaches anything: a method that wants a stop-gradient on its target
// passes target.detach(). A target of the wrong shape throws ShapeError naming the loss
// and both shapes.
// Threading: operator() is const and keeps no state, as the Loss interface requires.
#pragma once

#include "sslflow/interfaces/loss.hpp"
#include "sslflow/ops.hpp"
#include "sslflow/params.hpp"

namespace sslflow::losses {

class NegativeCosine final : public Loss {
 public:
  static Schema schema();
  explicit NegativeCosine(const Params& params);
  Var operator()(const Var& pred, const Var& target) const override;

 private:
  float eps_;
};

class SmoothL1 final : public Loss {
 public:
  static Schema schema();
  explicit SmoothL1(const Params& params);
  Var operator()(const Var& pred, const Var& target) const override;

 private:
  float beta_;
  Reduction reduction_;
};

class Mse final : public Loss {
 public:
  static Schema schema();
  explicit Mse(const Params& params);
  Var operator()(const Var& pred, const Var& target) const override;

 private:
  Reduction reduction_;
};

class CrossEntropy final : public Loss {
 public:
  static Schema schema();
  explicit CrossEntropy(const Params& params);
  Var operator()(const Var& pred, const Var& target) const override;

 private:
  Reduction reduction_;
};

class Commitment final : public Loss {
 public:
  static Schema schema();
  explicit Commitment(const Params& params);
  Var operator()(const Var& pred, const Var& target) const override;

 private:
  float beta_;
};

class NtXent final : public Loss {
 public:
  static Schema schema();
  explicit NtXent(const Params& params);
  Var operator()(const Var& z1, const Var& z2) const override;  // (N, D), (N, D) -> scalar

 private:
  float temperature_;
};

}  // namespace sslflow::losses
