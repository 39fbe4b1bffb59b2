// multi_head_attention: fused self-attention with PyTorch's parameter layout (sslflow/ops.hpp).
#include <string>
#include <utility>

#include "kernels/attention_kernels.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

Var multi_head_attention(const Var& x, const Var& in_proj_weight, const Var& in_proj_bias,
                         const Var& out_proj_weight, const Var& out_proj_bias, int heads) {
  constexpr const char* kOp = "multi_head_attention";
  const Shape& shape = x.shape();
  if (shape.rank() != 3) throw ShapeError(std::string(kOp) + ": x must be (B, T, D), got " + shape.str());
  const int64_t d = shape[2];
  if (heads <= 0 || d % heads != 0)
    throw ShapeError(std::string(kOp) + ": " + std::to_string(heads) + " heads do not divide D = " +
                     std::to_string(d) + " of x " + shape.str());
  expect_shape("multi_head_attention: in_proj_weight", in_proj_weight.shape(), Shape{3 * d, d});
  expect_shape("multi_head_attention: in_proj_bias", in_proj_bias.shape(), Shape{3 * d});
  expect_shape("multi_head_attention: out_proj_weight", out_proj_weight.shape(), Shape{d, d});
  expect_shape("multi_head_attention: out_proj_bias", out_proj_bias.shape(), Shape{d});

  const kernels::AttentionDims dims{shape[0], shape[1], d, heads};
  const int64_t rows = dims.batch * dims.tokens;
  Tensor out = Tensor::uninitialized(shape);
  Tensor qkv = Tensor::uninitialized(Shape{rows, 3 * d});
  Tensor probs = Tensor::uninitialized(Shape{dims.batch, dims.heads, dims.tokens, dims.tokens});
  Tensor ctx = Tensor::uninitialized(Shape{rows, d});
  kernels::attention_forward(out.data(), qkv.data(), probs.data(), ctx.data(), x.value().data(),
                             in_proj_weight.value().data(), in_proj_bias.value().data(),
                             out_proj_weight.value().data(), out_proj_bias.value().data(), dims);

  return Var::from_op(
      kOp, out, {x, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias},
      [dims, qkv, probs, ctx](std::span<Var> in, const Tensor& g) {
        // Gradient buffers for the inputs that want one, in the order of `in`.
        Tensor buffers[5];
        float* slots[5] = {};
        for (size_t i = 0; i < in.size(); ++i)
          if (in[i].requires_grad()) {
            buffers[i] = Tensor(in[i].shape());
            slots[i] = buffers[i].data();
          }
        kernels::attention_backward({slots[0], slots[1], slots[2], slots[3], slots[4]}, g.data(),
                                    in[0].value().data(), in[1].value().data(), in[3].value().data(), qkv.data(),
                                    probs.data(), ctx.data(), dims);
        for (size_t i = 0; i < in.size(); ++i)
          if (buffers[i].defined()) in[i].accumulate_grad(std::move(buffers[i]));
      });
}

}  // namespace sslflow
