// cross_entropy on logits (N, C) and integer labels (sslflow/ops.hpp).
#include <string>
#include <utility>
#include <vector>

#include "kernels/softmax_kernels.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

Var cross_entropy(const Var& logits, const std::vector<int64_t>& labels, Reduction reduction) {
  const Shape& shape = logits.shape();
  if (shape.rank() != 2)
    throw ShapeError("cross_entropy: logits must be (N, C), got " + shape.str());
  const int64_t n = shape[0];
  const int64_t classes = shape[1];
  if (static_cast<int64_t>(labels.size()) != n)
    throw ShapeError("cross_entropy: logits " + shape.str() + " need " + std::to_string(n) + " labels, got " +
                     std::to_string(labels.size()));
  for (int64_t i = 0; i < n; ++i)
    if (labels[i] < 0 || labels[i] >= classes)
      throw Error("cross_entropy: label " + std::to_string(labels[i]) + " of sample " + std::to_string(i) +
                  " is out of range [0, " + std::to_string(classes) + ")");

  Tensor losses = Tensor::uninitialized(Shape{n});  // (N)
  Tensor lse = Tensor::uninitialized(Shape{n});     // (N)
  kernels::cross_entropy_forward(losses.data(), lse.data(), logits.value().data(), labels.data(), n, classes);

  Tensor out = losses;
  if (reduction != Reduction::None) {
    double total = 0.0;
    for (float l : losses.values()) total += l;
    if (reduction == Reduction::Mean) total /= static_cast<double>(n);
    out = Tensor::scalar(static_cast<float>(total));
  }
  return Var::from_op("cross_entropy", out, {logits}, [labels, lse, reduction](std::span<Var> in, const Tensor& g) {
    const Tensor& x = in[0].value();
    const int64_t rows = x.dim(0);
    // The weight of each row's loss in the output: the gradient itself, or its share of
    // the reduced scalar.
    Tensor weights = g;  // (N)
    if (reduction != Reduction::None) {
      const float scale = reduction == Reduction::Mean ? 1.0f / static_cast<float>(rows) : 1.0f;
      weights = Tensor::full(Shape{rows}, g.item() * scale);
    }
    Tensor dx(x.shape());
    kernels::cross_entropy_backward(dx.data(), weights.data(), x.data(), lse.data(), labels.data(), rows, x.dim(1));
    in[0].accumulate_grad(std::move(dx));
  });
}

}  // namespace sslflow
