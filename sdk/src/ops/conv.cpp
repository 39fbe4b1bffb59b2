// conv2d: shape checks and the autograd wrapper around kernels/conv_kernels.
#include <string>

#include "kernels/conv_kernels.hpp"
#include "ops/grad_buffers.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

namespace {

kernels::Conv2dSizes conv2d_sizes(const Var& x, const Var& weight, const Var& bias, int stride, int padding) {
  const auto fail = [&](const std::string& why) {
    throw ShapeError("conv2d: " + why + " (x " + x.shape().str() + ", weight " + weight.shape().str() +
                     (bias.defined() ? ", bias " + bias.shape().str() : std::string()) + ", stride " +
                     std::to_string(stride) + ", padding " + std::to_string(padding) + ")");
  };
  if (x.rank() != 4) fail("x must be (N, C, H, W)");
  if (weight.rank() != 4) fail("weight must be (O, C, kh, kw)");
  if (weight.dim(1) != x.dim(1)) fail("weight input channels differ from x channels");
  if (bias.defined() && !(bias.rank() == 1 && bias.dim(0) == weight.dim(0))) fail("bias must be (O)");
  if (stride < 1 || padding < 0) fail("stride must be positive and padding non-negative");
  kernels::Conv2dSizes s{};
  s.batch = x.dim(0);
  s.in_channels = x.dim(1);
  s.height = x.dim(2);
  s.width = x.dim(3);
  s.out_channels = weight.dim(0);
  s.kernel_h = weight.dim(2);
  s.kernel_w = weight.dim(3);
  s.stride = stride;
  s.padding = padding;
  if (s.height + 2 * padding < s.kernel_h || s.width + 2 * padding < s.kernel_w)
    fail("kernel larger than the padded input");
  s.out_h = (s.height + 2 * padding - s.kernel_h) / stride + 1;
  s.out_w = (s.width + 2 * padding - s.kernel_w) / stride + 1;
  return s;
}

}  // namespace

Var conv2d(const Var& x, const Var& weight, const Var& bias, int stride, int padding) {
  const kernels::Conv2dSizes s = conv2d_sizes(x, weight, bias, stride, padding);
  Tensor out = Tensor::uninitialized(Shape{s.batch, s.out_channels, s.out_h, s.out_w});
  kernels::conv2d_forward(out.data(), x.value().data(), weight.value().data(),
                          ops_detail::data_or_null(bias), s);
  return Var::from_op("conv2d", out, {x, weight, bias}, [s](std::span<Var> in, const Tensor& dout) {
    using namespace ops_detail;
    Tensor grads[] = {grad_buffer(in[0]), grad_buffer(in[1]), grad_buffer(in[2])};
    kernels::conv2d_backward(data_or_null(grads[0]), data_or_null(grads[1]), data_or_null(grads[2]), dout.data(),
                             in[0].value().data(), in[1].value().data(), s);
    accumulate_grads(in, grads);
  });
}

}  // namespace sslflow
