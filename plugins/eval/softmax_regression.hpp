// Multinomial logistic regression on fixed features: the objective the linear probe
// minimises, as a function of theta = [W (C, D) row-major, b (C)]:
//
//   f(theta) = mean_i cross_entropy(W x_i + b, y_i) + l2 / 2 * ||W||^2
//
// Logits and the weight gradient are matrix products in float (parallel, through the
// sdk's ops); the softmax, the loss and every sum over samples are in double, in a fixed
// order, so f and its gradient are deterministic and smooth enough for a line search.
// Threading: const methods may run concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sslflow/tensor.hpp"

namespace sslflow::eval {

class SoftmaxRegression {
 public:
  // features (N, D); labels (N) in [0, classes).
  SoftmaxRegression(Tensor features, std::span<const int64_t> labels, int64_t classes, double l2);

  int64_t parameter_count() const { return classes_ * (dim_ + 1); }
  // f(theta); writes df/dtheta into `gradient`.
  double value_and_gradient(std::span<const double> theta, std::span<double> gradient) const;
  // W x + b for each row of `features` (M, D) -> (M, C).
  Tensor logits(const Tensor& features, std::span<const double> theta) const;

 private:
  Tensor features_;  // (N, D)
  std::vector<int64_t> labels_;
  int64_t classes_;
  int64_t dim_;
  double l2_;
};

}  // namespace sslflow::eval
