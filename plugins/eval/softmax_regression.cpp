#include "softmax_regression.hpp"

#include <algorithm>
#include <cmath>

#include "sslflow/autograd.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::eval {

SoftmaxRegression::SoftmaxRegression(Tensor features, std::span<const int64_t> labels, int64_t classes, double l2)
    : features_(std::move(features)),
      labels_(labels.begin(), labels.end()),
      classes_(classes),
      dim_(features_.dim(1)),
      l2_(l2) {}

Tensor SoftmaxRegression::logits(const Tensor& features, std::span<const double> theta) const {
  Tensor weight(Shape{classes_, dim_});  // (C, D)
  Tensor bias(Shape{classes_});          // (C)
  std::copy_n(theta.begin(), weight.numel(), weight.data());
  std::copy_n(theta.begin() + weight.numel(), classes_, bias.data());
  NoGrad no_grad;
  return linear(Var(features), Var(weight), Var(bias)).value();
}

double SoftmaxRegression::value_and_gradient(std::span<const double> theta, std::span<double> gradient) const {
  const int64_t n = features_.dim(0);
  const Tensor scores = logits(features_, theta);        // (N, C)
  Tensor delta = Tensor::uninitialized(scores.shape());  // (N, C): d loss / d logits
  std::vector<double> bias_gradient(static_cast<size_t>(classes_), 0.0);
  std::vector<double> p(static_cast<size_t>(classes_));
  double loss = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = scores.data() + i * classes_;  // (C)
    const double top = *std::max_element(row, row + classes_);
    double total = 0.0;
    for (int64_t c = 0; c < classes_; ++c) total += p[size_t(c)] = std::exp(double(row[c]) - top);
    const int64_t label = labels_[size_t(i)];
    loss += top + std::log(total) - double(row[label]);
    float* out = delta.data() + i * classes_;  // (C)
    for (int64_t c = 0; c < classes_; ++c) {
      const double d = (p[size_t(c)] / total - (c == label ? 1.0 : 0.0)) / double(n);
      out[c] = float(d);
      bias_gradient[size_t(c)] += d;
    }
  }
  loss /= double(n);

  NoGrad no_grad;
  const Tensor weight_gradient = matmul(transpose(Var(delta), 0, 1), Var(features_)).value();  // (C, D)
  const int64_t weights = classes_ * dim_;
  for (int64_t j = 0; j < weights; ++j) {
    loss += 0.5 * l2_ * theta[size_t(j)] * theta[size_t(j)];
    gradient[size_t(j)] = double(weight_gradient.data()[j]) + l2_ * theta[size_t(j)];
  }
  std::copy(bias_gradient.begin(), bias_gradient.end(), gradient.begin() + weights);
  return loss;
}

}  // namespace sslflow::eval
