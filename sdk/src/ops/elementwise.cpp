// Element-wise ops: broadcast binary arithmetic, scalar arithmetic and activations.
#include <algorithm>
#include <string>
#include <utility>

#include "kernels/elementwise_kernels.hpp"
#include "ops/grad_buffers.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

using detail::accumulate_if_defined;
using detail::data_or_null;
using detail::grad_buffer;

namespace {

// NumPy broadcasting: trailing dimensions aligned, each pair equal or one of them 1.
Shape broadcast_shape(const char* op, const Shape& a, const Shape& b) {
  const int rank = std::max(a.rank(), b.rank());
  int64_t dims[Shape::kMaxDims] = {};
  for (int d = 0; d < rank; ++d) {
    const int ad = d - rank + a.rank(), bd = d - rank + b.rank();
    const int64_t a_dim = ad >= 0 ? a[ad] : 1;
    const int64_t b_dim = bd >= 0 ? b[bd] : 1;
    if (a_dim != b_dim && a_dim != 1 && b_dim != 1)
      throw ShapeError(std::string(op) + ": shapes " + a.str() + " and " + b.str() + " do not broadcast");
    dims[d] = a_dim == 1 ? b_dim : a_dim;
  }
  return Shape(std::span<const int64_t>(dims, static_cast<size_t>(rank)));
}

// Forward(out, a, b, layout); Backward(da, db, dout, a, b, layout) with null da/db skipped.
template <class Forward, class Backward>
Var broadcast_op(const char* op, const Var& a, const Var& b, Forward forward, Backward backward) {
  const Shape out_shape = broadcast_shape(op, a.shape(), b.shape());
  const kernels::BroadcastLayout layout = kernels::broadcast_layout(a.shape(), b.shape(), out_shape);
  Tensor out = Tensor::uninitialized(out_shape);
  forward(out.data(), a.value().data(), b.value().data(), layout);
  return Var::from_op(op, std::move(out), {a, b}, [layout, backward](std::span<Var> in, const Tensor& g) {
    Tensor da = grad_buffer(in[0]);
    Tensor db = grad_buffer(in[1]);
    backward(data_or_null(da), data_or_null(db), g.data(), in[0].value().data(), in[1].value().data(), layout);
    accumulate_if_defined(in[0], std::move(da));
    accumulate_if_defined(in[1], std::move(db));
  });
}

// An op of one input whose backward kernel reads x (kReadsOutput false) or the output y.
template <bool kReadsOutput, class Backward>
Var unary_op(const char* op, const Var& x, void (*forward)(float*, const float*, int64_t), Backward backward) {
  Tensor y = Tensor::uninitialized(x.shape());
  forward(y.data(), x.value().data(), y.numel());
  Tensor saved = kReadsOutput ? y : Tensor();
  return Var::from_op(op, std::move(y), {x}, [saved, backward](std::span<Var> in, const Tensor& g) {
    Tensor dx(in[0].shape());
    backward(dx.data(), g.data(), kReadsOutput ? saved.data() : in[0].value().data(), dx.numel());
    in[0].accumulate_grad(std::move(dx));
  });
}

Var scaled(const char* op, const Var& a, float s) {
  Tensor y = Tensor::uninitialized(a.shape());
  kernels::scale_forward(y.data(), a.value().data(), s, y.numel());
  return Var::from_op(op, std::move(y), {a}, [s](std::span<Var> in, const Tensor& g) {
    Tensor dx(in[0].shape());
    kernels::scale_backward(dx.data(), g.data(), s, dx.numel());
    in[0].accumulate_grad(std::move(dx));
  });
}

}  // namespace

Var add(const Var& a, const Var& b) {
  return broadcast_op("add", a, b, kernels::add_forward,
                      [](float* da, float* db, const float* g, const float*, const float*,
                         const kernels::BroadcastLayout& l) { kernels::add_backward(da, db, g, l); });
}

Var sub(const Var& a, const Var& b) {
  return broadcast_op("sub", a, b, kernels::sub_forward,
                      [](float* da, float* db, const float* g, const float*, const float*,
                         const kernels::BroadcastLayout& l) { kernels::sub_backward(da, db, g, l); });
}

Var mul(const Var& a, const Var& b) { return broadcast_op("mul", a, b, kernels::mul_forward, kernels::mul_backward); }

Var div(const Var& a, const Var& b) { return broadcast_op("div", a, b, kernels::div_forward, kernels::div_backward); }

Var add(const Var& a, float s) {
  Tensor y = Tensor::uninitialized(a.shape());
  kernels::add_scalar_forward(y.data(), a.value().data(), s, y.numel());
  return Var::from_op("add_scalar", std::move(y), {a}, [](std::span<Var> in, const Tensor& g) {
    in[0].accumulate_grad(g);
  });
}

Var mul(const Var& a, float s) { return scaled("mul_scalar", a, s); }

Var neg(const Var& a) { return scaled("neg", a, -1.0f); }

Var relu(const Var& x) { return unary_op<true>("relu", x, kernels::relu_forward, kernels::relu_backward); }

Var gelu(const Var& x) { return unary_op<false>("gelu", x, kernels::gelu_forward, kernels::gelu_backward); }

Var exp(const Var& x) { return unary_op<true>("exp", x, kernels::exp_forward, kernels::exp_backward); }

Var log(const Var& x) { return unary_op<false>("log", x, kernels::log_forward, kernels::log_backward); }

Var sqrt(const Var& x) { return unary_op<true>("sqrt", x, kernels::sqrt_forward, kernels::sqrt_backward); }

Var square(const Var& x) { return unary_op<false>("square", x, kernels::square_forward, kernels::square_backward); }

}  // namespace sslflow
