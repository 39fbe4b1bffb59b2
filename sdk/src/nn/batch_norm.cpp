#include "sslflow/nn/batch_norm.hpp"

#include "sslflow/nn/application.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::nn {

BatchNorm::BatchNorm(int64_t channels, bool affine, float momentum, float eps) : momentum_(momentum), eps_(eps) {
  if (affine) {
    weight = register_parameter("weight", Tensor::full(Shape{channels}, 1.0f));
    bias = register_parameter("bias", Tensor(Shape{channels}));
  }
  running_mean = register_buffer("running_mean", Tensor(Shape{channels}));
  running_var = register_buffer("running_var", Tensor::full(Shape{channels}, 1.0f));
  num_batches_tracked = register_buffer("num_batches_tracked", Tensor(Shape{}));
}

Var BatchNorm::forward(const Var& x) { return apply(batch_norm, x); }

Var BatchNorm::forward_relu(const Var& x) { return apply(batch_norm_relu, x); }

Var BatchNorm::apply(NormOp op, const Var& x) {
  if (!is_training()) return op(x, weight, bias, running_mean, running_var, false, momentum_, eps_);
  // With momentum 1 the op leaves exactly the batch mean and unbiased variance in the
  // running tensors it is given: stage those, then move the real running statistics.
  const int64_t channels = running_mean.numel();
  Tensor batch_mean(Shape{channels}), batch_var(Shape{channels});
  Var y = op(x, weight, bias, batch_mean, batch_var, true, 1.0f, eps_);
  const int application = current_application();
  std::lock_guard lock(staged_mutex_);
  if (application < 0)
    update_running(batch_mean, batch_var);
  else
    staged_[application] = {batch_mean, batch_var};
  return y;
}

void BatchNorm::update_running(const Tensor& mean, const Tensor& var) {
  float* rm = running_mean.data();
  float* rv = running_var.data();
  for (int64_t c = 0; c < running_mean.numel(); ++c) {
    rm[c] = (1.0f - momentum_) * rm[c] + momentum_ * mean.data()[c];
    rv[c] = (1.0f - momentum_) * rv[c] + momentum_ * var.data()[c];
  }
  num_batches_tracked.data()[0] += 1.0f;
}

void BatchNorm::on_end_step(int64_t, int64_t) {
  std::lock_guard lock(staged_mutex_);
  for (const auto& [_, stats] : staged_) update_running(stats.first, stats.second);
  staged_.clear();
}

}  // namespace sslflow::nn
