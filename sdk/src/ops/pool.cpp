// Pooling ops: shape checks and autograd wrappers around kernels/pool_kernels.
#include <memory>
#include <string>
#include <vector>

#include "kernels/pool_kernels.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

namespace {

void expect_nchw(const char* op, const Var& x) {
  if (x.rank() != 4) throw ShapeError(std::string(op) + ": x must be (N, C, H, W), got " + x.shape().str());
}

kernels::Pool2dSizes pool2d_sizes(const char* op, const Var& x, int kernel, int stride, int padding) {
  expect_nchw(op, x);
  const auto fail = [&](const std::string& why) {
    throw ShapeError(std::string(op) + ": " + why + " (x " + x.shape().str() + ", kernel " + std::to_string(kernel) +
                     ", stride " + std::to_string(stride) + ", padding " + std::to_string(padding) + ")");
  };
  if (kernel < 1 || stride < 1) fail("kernel and stride must be positive");
  if (padding < 0 || 2 * padding > kernel) fail("padding must be between 0 and half the kernel");
  kernels::Pool2dSizes s{};
  s.planes = x.dim(0) * x.dim(1);
  s.height = x.dim(2);
  s.width = x.dim(3);
  s.kernel = kernel;
  s.stride = stride;
  s.padding = padding;
  if (s.height + 2 * padding < kernel || s.width + 2 * padding < kernel) fail("kernel larger than the padded input");
  s.out_h = (s.height + 2 * padding - kernel) / stride + 1;
  s.out_w = (s.width + 2 * padding - kernel) / stride + 1;
  return s;
}

Shape pooled_shape(const Var& x, const kernels::Pool2dSizes& s) { return Shape{x.dim(0), x.dim(1), s.out_h, s.out_w}; }

}  // namespace

Var avg_pool2d(const Var& x, int kernel, int stride, int padding) {
  const kernels::Pool2dSizes s = pool2d_sizes("avg_pool2d", x, kernel, stride, padding);
  Tensor out = Tensor::uninitialized(pooled_shape(x, s));
  kernels::avg_pool2d_forward(out.data(), x.value().data(), s);
  return Var::from_op("avg_pool2d", out, {x}, [s](std::span<Var> in, const Tensor& dout) {
    Tensor dx(in[0].shape());
    kernels::avg_pool2d_backward(dx.data(), dout.data(), s);
    in[0].accumulate_grad(std::move(dx));
  });
}

Var max_pool2d(const Var& x, int kernel, int stride, int padding) {
  const kernels::Pool2dSizes s = pool2d_sizes("max_pool2d", x, kernel, stride, padding);
  Tensor out = Tensor::uninitialized(pooled_shape(x, s));
  auto argmax = std::make_shared<std::vector<int32_t>>(static_cast<size_t>(out.numel()));  // (N*C, Ho, Wo)
  kernels::max_pool2d_forward(out.data(), argmax->data(), x.value().data(), s);
  return Var::from_op("max_pool2d", out, {x}, [s, argmax](std::span<Var> in, const Tensor& dout) {
    Tensor dx(in[0].shape());
    kernels::max_pool2d_backward(dx.data(), dout.data(), argmax->data(), s);
    in[0].accumulate_grad(std::move(dx));
  });
}

Var global_avg_pool2d(const Var& x) {
  expect_nchw("global_avg_pool2d", x);
  const int64_t planes = x.dim(0) * x.dim(1);
  const int64_t pixels = x.dim(2) * x.dim(3);
  Tensor out = Tensor::uninitialized(Shape{x.dim(0), x.dim(1)});
  kernels::global_avg_pool2d_forward(out.data(), x.value().data(), planes, pixels);
  return Var::from_op("global_avg_pool2d", out, {x}, [planes, pixels](std::span<Var> in, const Tensor& dout) {
    Tensor dx(in[0].shape());
    kernels::global_avg_pool2d_backward(dx.data(), dout.data(), planes, pixels);
    in[0].accumulate_grad(std::move(dx));
  });
}

}  // namespace sslflow
