// Linear algebra ops: matmul (plain and batched) and linear layers.
#include <string>
#include <utility>
#include <vector>

#include "kernels/linalg_kernels.hpp"
#include "ops/grad_buffers.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

using detail::accumulate_if_defined;
using detail::data_or_null;
using detail::grad_buffer;

namespace {

[[noreturn]] void shape_mismatch(const char* op, const Shape& a, const Shape& b, const char* expected) {
  throw ShapeError(std::string(op) + ": cannot combine " + a.str() + " and " + b.str() + " (" + expected + ")");
}

}  // namespace

Var matmul(const Var& a, const Var& b) {
  const Shape& as = a.shape();
  const Shape& bs = b.shape();
  const int rank = as.rank();
  if (rank != bs.rank() || (rank != 2 && rank != 3) || as[-1] != bs[-2] || (rank == 3 && as[0] != bs[0]))
    shape_mismatch("matmul", as, bs, "expected (M, K) x (K, N) or (B, M, K) x (B, K, N)");
  const int64_t batch = rank == 3 ? as[0] : 1;
  const int64_t m = as[-2], k = as[-1], n = bs[-1];
  Tensor out = Tensor::uninitialized(rank == 3 ? Shape{batch, m, n} : Shape{m, n});
  kernels::matmul_forward(out.data(), a.value().data(), b.value().data(), batch, m, k, n);
  return Var::from_op("matmul", std::move(out), {a, b}, [batch, m, k, n](std::span<Var> in, const Tensor& g) {
    Tensor da = grad_buffer(in[0]);
    Tensor db = grad_buffer(in[1]);
    kernels::matmul_backward(data_or_null(da), data_or_null(db), g.data(), in[0].value().data(),
                             in[1].value().data(), batch, m, k, n);
    accumulate_if_defined(in[0], std::move(da));
    accumulate_if_defined(in[1], std::move(db));
  });
}

Var linear(const Var& x, const Var& weight, const Var& bias) {
  const Shape& xs = x.shape();
  const Shape& ws = weight.shape();
  if (xs.rank() < 1 || ws.rank() != 2 || xs[-1] != ws[1])
    shape_mismatch("linear", xs, ws, "expected x (..., in) and weight (out, in)");
  const int64_t in_features = ws[1], out_features = ws[0];
  if (bias.defined() && !(bias.shape() == Shape{out_features}))
    shape_mismatch("linear", ws, bias.shape(), "expected weight (out, in) and bias (out)");
  int64_t rows = 1;
  for (int d = 0; d + 1 < xs.rank(); ++d) rows *= xs[d];
  std::vector<int64_t> out_dims = xs.to_vector();
  out_dims.back() = out_features;
  Tensor out = Tensor::uninitialized(Shape(std::span<const int64_t>(out_dims)));
  kernels::linear_forward(out.data(), x.value().data(), weight.value().data(),
                          bias.defined() ? bias.value().data() : nullptr, rows, in_features, out_features);
  std::vector<Var> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  return Var::from_op("linear", std::move(out), std::move(inputs),
                      [rows, in_features, out_features](std::span<Var> in, const Tensor& g) {
                        Tensor dx = grad_buffer(in[0]);
                        Tensor dw = grad_buffer(in[1]);
                        Tensor db = in.size() > 2 ? grad_buffer(in[2]) : Tensor();
                        kernels::linear_backward(data_or_null(dx), data_or_null(dw), data_or_null(db), g.data(),
                                                 in[0].value().data(), in[1].value().data(), rows, in_features,
                                                 out_features);
                        accumulate_if_defined(in[0], std::move(dx));
                        accumulate_if_defined(in[1], std::move(dw));
                        if (in.size() > 2) accumulate_if_defined(in[2], std::move(db));
                      });
}

}  // namespace sslflow
