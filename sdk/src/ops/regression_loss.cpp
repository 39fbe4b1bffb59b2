// Regression losses: mean squared error and smooth L1 (Huber), element-wise between two
// tensors of one shape, reduced by Reduction.
#include <string>
#include <utility>

#include "kernels/loss_kernels.hpp"
#include "ops/grad_buffers.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

namespace {

// The shared wrapper: Forward(out, pred, target, n), Sum(pred, target, n) -> double and
// Backward(dpred, dtarget, dout, dout_per_element, scale, pred, target, n).
template <class Forward, class Sum, class Backward>
Var regression_loss(const char* op, const Var& pred, const Var& target, Reduction reduction, Forward forward,
                    Sum sum, Backward backward) {
  if (!(pred.shape() == target.shape()))
    throw ShapeError(std::string(op) + ": pred " + pred.shape().str() + " and target " + target.shape().str() +
                     " differ in shape");
  const int64_t n = pred.value().numel();
  const float* p = pred.value().data();
  const float* t = target.value().data();
  Tensor out;
  float scale = 1.0f;
  if (reduction == Reduction::None) {
    out = Tensor::uninitialized(pred.shape());
    forward(out.data(), p, t, n);
  } else {
    if (reduction == Reduction::Mean) scale = 1.0f / static_cast<float>(n);
    out = Tensor::scalar(static_cast<float>(sum(p, t, n) * scale));
  }
  const bool per_element = reduction == Reduction::None;
  return Var::from_op(op, std::move(out), {pred, target},
                      [n, scale, per_element, backward](std::span<Var> in, const Tensor& g) {
                        Tensor dpred = detail::grad_buffer(in[0]);
                        Tensor dtarget = detail::grad_buffer(in[1]);
                        backward(detail::data_or_null(dpred), detail::data_or_null(dtarget), g.data(), per_element,
                                 scale, in[0].value().data(), in[1].value().data(), n);
                        detail::accumulate_if_defined(in[0], std::move(dpred));
                        detail::accumulate_if_defined(in[1], std::move(dtarget));
                      });
}

}  // namespace

Var mse_loss(const Var& pred, const Var& target, Reduction reduction) {
  return regression_loss("mse_loss", pred, target, reduction, kernels::mse_forward, kernels::mse_sum,
                         kernels::mse_backward);
}

Var smooth_l1_loss(const Var& pred, const Var& target, float beta, Reduction reduction) {
  if (!(beta >= 0.0f)) throw Error("smooth_l1_loss: beta must be non-negative, got " + std::to_string(beta));
  return regression_loss(
      "smooth_l1_loss", pred, target, reduction,
      [beta](float* out, const float* p, const float* t, int64_t n) { kernels::smooth_l1_forward(out, p, t, beta, n); },
      [beta](const float* p, const float* t, int64_t n) { return kernels::smooth_l1_sum(p, t, beta, n); },
      [beta](float* dp, float* dt, const float* g, bool per_element, float scale, const float* p, const float* t,
             int64_t n) { kernels::smooth_l1_backward(dp, dt, g, per_element, scale, p, t, beta, n); });
}

}  // namespace sslflow
