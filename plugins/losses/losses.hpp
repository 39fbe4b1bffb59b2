// The shipped losses (kind loss): each compares a prediction with a target and returns a
// scalar.
//
//   negative_cosine  mean over vectors of -cos(pred, target) along the last dimension   (SimSiam, BYOL)
//   smooth_l1        Huber with transition beta, averaged or summed over elements        (data2vec)
//   mse              squared error, averaged or summed over elements                     (MAE)
//   cross_entropy    pred (N, C) logits, target (N) class ids stored as floats            (BEiT, probes)
//   commitment       beta * mean((z - q)^2), the caller passing sg(q)                      (VQ-VAE)
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

}  // namespace sslflow::losses
