// Normalisation ops: shape checks, running statistics and autograd wrappers around
// kernels/norm_kernels.
#include <cmath>
#include <string>
#include <utility>

#include "kernels/norm_kernels.hpp"
#include "ops/grad_buffers.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

namespace {

using detail::data_or_null;
using detail::grad_buffer;

// Throws unless shape is null (an undefined tensor) or (size).
void expect_vector(const char* op, const char* name, const Shape& x_shape, const Shape* shape, int64_t size) {
  if (!shape || (shape->rank() == 1 && (*shape)[0] == size)) return;
  throw ShapeError(std::string(op) + ": " + name + " must be (" + std::to_string(size) + ") for x " + x_shape.str() +
                   ", got " + shape->str());
}

const Shape* shape_of(const Var& v) { return v.defined() ? &v.shape() : nullptr; }
const Shape* shape_of(const Tensor& t) { return t.defined() ? &t.shape() : nullptr; }

// running = (1 - momentum) * running + momentum * batch, element-wise over (C).
void update_running(Tensor& running, const Tensor& batch, float momentum, float batch_scale) {
  float* r = running.data();
  const float* b = batch.data();
  for (int64_t c = 0; c < running.numel(); ++c) r[c] = (1.0f - momentum) * r[c] + momentum * batch_scale * b[c];
}

// batch_norm, followed by relu when relu is set (batch_norm_relu).
Var batch_norm_op(const char* op, const Var& x, const Var& weight, const Var& bias, Tensor running_mean,
                  Tensor running_var, bool training, float momentum, float eps, bool relu) {
  if (x.rank() != 2 && x.rank() != 4)
    throw ShapeError(std::string(op) + ": x must be (N, C) or (N, C, H, W), got " + x.shape().str());
  const kernels::BatchNormSizes s{x.dim(0), x.dim(1), x.rank() == 4 ? x.dim(2) * x.dim(3) : 1};
  expect_vector(op, "weight", x.shape(), shape_of(weight), s.channels);
  expect_vector(op, "bias", x.shape(), shape_of(bias), s.channels);
  expect_vector(op, "running_mean", x.shape(), shape_of(running_mean), s.channels);
  expect_vector(op, "running_var", x.shape(), shape_of(running_var), s.channels);
  if (running_mean.defined() != running_var.defined())
    throw ShapeError(std::string(op) + ": running_mean and running_var must both be given or both be undefined");

  const bool batch_stats = training || !running_mean.defined();
  const int64_t count = s.batch * s.pixels;
  Tensor mean, rstd(Shape{s.channels});
  if (batch_stats) {
    if (training && count < 2)
      throw ShapeError(std::string(op) + ": training needs more than one value per channel, got x " +
                       x.shape().str());
    mean = Tensor::uninitialized(Shape{s.channels});
    Tensor var = Tensor::uninitialized(Shape{s.channels});
    kernels::batch_norm_statistics(mean.data(), var.data(), x.value().data(), s);
    if (training && running_mean.defined()) {
      update_running(running_mean, mean, momentum, 1.0f);
      update_running(running_var, var, momentum, static_cast<float>(count) / static_cast<float>(count - 1));
    }
    for (int64_t c = 0; c < s.channels; ++c) rstd.data()[c] = 1.0f / std::sqrt(var.data()[c] + eps);
  } else {
    mean = running_mean.clone();  // the running tensors change in later steps; backward needs these
    for (int64_t c = 0; c < s.channels; ++c) rstd.data()[c] = 1.0f / std::sqrt(running_var.data()[c] + eps);
  }

  Tensor out = Tensor::uninitialized(x.shape());
  kernels::batch_norm_forward(out.data(), x.value().data(), mean.data(), rstd.data(), data_or_null(weight),
                              data_or_null(bias), s, relu);
  const Tensor relu_out = relu ? out : Tensor();  // the backward's mask
  return Var::from_op(op, out, {x, weight, bias},
                      [s, mean, rstd, relu_out, batch_stats](std::span<Var> in, const Tensor& dout) {
                        Tensor grads[] = {detail::written_grad_buffer(in[0]), grad_buffer(in[1]),
                                          grad_buffer(in[2])};
                        kernels::batch_norm_backward(data_or_null(grads[0]), data_or_null(grads[1]),
                                                     data_or_null(grads[2]), dout.data(), in[0].value().data(),
                                                     mean.data(), rstd.data(), data_or_null(in[1]),
                                                     relu_out.defined() ? relu_out.data() : nullptr, s, batch_stats);
                        detail::accumulate_grads(in, grads);
                      });
}

}  // namespace

Var batch_norm(const Var& x, const Var& weight, const Var& bias, Tensor running_mean, Tensor running_var,
               bool training, float momentum, float eps) {
  return batch_norm_op("batch_norm", x, weight, bias, std::move(running_mean), std::move(running_var), training,
                       momentum, eps, false);
}

Var batch_norm_relu(const Var& x, const Var& weight, const Var& bias, Tensor running_mean, Tensor running_var,
                    bool training, float momentum, float eps) {
  return batch_norm_op("batch_norm_relu", x, weight, bias, std::move(running_mean), std::move(running_var),
                       training, momentum, eps, true);
}

Var layer_norm(const Var& x, const Var& weight, const Var& bias, float eps) {
  if (x.rank() < 1) throw ShapeError("layer_norm: x must have at least one dimension, got " + x.shape().str());
  const int64_t dim = x.dim(-1);
  const int64_t rows = dim > 0 ? x.value().numel() / dim : 0;
  expect_vector("layer_norm", "weight", x.shape(), shape_of(weight), dim);
  expect_vector("layer_norm", "bias", x.shape(), shape_of(bias), dim);

  Tensor out = Tensor::uninitialized(x.shape());
  Tensor mean = Tensor::uninitialized(Shape{rows});  // (R)
  Tensor rstd = Tensor::uninitialized(Shape{rows});  // (R)
  kernels::layer_norm_forward(out.data(), mean.data(), rstd.data(), x.value().data(), data_or_null(weight),
                              data_or_null(bias), rows, dim, eps);
  return Var::from_op("layer_norm", out, {x, weight, bias},
                      [rows, dim, mean, rstd](std::span<Var> in, const Tensor& dout) {
                        Tensor grads[] = {grad_buffer(in[0]), grad_buffer(in[1]), grad_buffer(in[2])};
                        kernels::layer_norm_backward(data_or_null(grads[0]), data_or_null(grads[1]),
                                                     data_or_null(grads[2]), dout.data(), in[0].value().data(),
                                                     mean.data(), rstd.data(), data_or_null(in[1]), rows, dim);
                        detail::accumulate_grads(in, grads);
                      });
}

}  // namespace sslflow
