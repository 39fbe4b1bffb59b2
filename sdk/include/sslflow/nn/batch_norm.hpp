// Batch normalisation as torch.nn.BatchNorm1d/2d: weight (1) and bias (0) [C], buffers
// running_mean (0), running_var (1) and num_batches_tracked, PyTorch's names, momentum 0.1
// and eps 1e-5 by default.
//
// Training normalises by the batch statistics and moves the running statistics toward
// them (unbiased variance); evaluation normalises by the running statistics. Applications
// inside an ApplicationScope (see application.hpp) stage their update, applied in
// application order by end_step(), so concurrent views update as sequential ones would.
#pragma once

#include <map>
#include <mutex>
#include <utility>

#include "sslflow/module.hpp"

namespace sslflow::nn {

class SSLFLOW_EXPORT BatchNorm : public Module {
 public:
  explicit BatchNorm(int64_t channels, bool affine = true, float momentum = 0.1f, float eps = 1e-5f);
  Var forward(const Var& x);       // (N, C) or (N, C, H, W)
  Var forward_relu(const Var& x);  // relu(forward(x)), fused (batch_norm_relu)

  Var weight;  // undefined without affine
  Var bias;
  Tensor running_mean;
  Tensor running_var;
  Tensor num_batches_tracked;

 protected:
  void on_end_step(int64_t step, int64_t total_steps) override;

 private:
  using NormOp = Var (*)(const Var&, const Var&, const Var&, Tensor, Tensor, bool, float, float);
  Var apply(NormOp op, const Var& x);
  void update_running(const Tensor& mean, const Tensor& var);

  float momentum_;
  float eps_;
  std::mutex staged_mutex_;
  std::map<int, std::pair<Tensor, Tensor>> staged_;  // application -> (batch mean, unbiased var)
};

}  // namespace sslflow::nn
