// Reductions: sum and mean over all elements or along one dimension; variance, standard
// deviation, log-sum-exp and running sums along one dimension.
#include <cmath>
#include <string>
#include <utility>

#include "kernels/index_kernels.hpp"
#include "kernels/reduce_kernels.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

namespace {

// scale * sum over all elements, a scalar.
Var reduce_all(const char* op, const Var& x, float scale) {
  const Tensor& v = x.value();
  Tensor out = Tensor::scalar(kernels::sum_all_forward(v.data(), v.numel(), scale));
  return Var::from_op(op, std::move(out), {x}, [scale](std::span<Var> in, const Tensor& g) {
    Tensor dx(in[0].shape());
    kernels::sum_dim_backward(dx.data(), g.data(), 1, dx.numel(), 1, scale);
    in[0].accumulate_grad(std::move(dx));
  });
}

// scale * sum along dim; `scale_by_extent` divides by the dimension's extent (mean).
Var reduce_dim(const char* op, const Var& x, int dim, bool keepdim, bool scale_by_extent) {
  const int axis = x.shape().axis(dim, op);
  const kernels::DimView view = kernels::dim_view(x.shape(), axis);
  const float scale = scale_by_extent ? 1.0f / static_cast<float>(view.n) : 1.0f;
  Tensor out(kernels::reduced_shape(x.shape(), axis, keepdim));
  kernels::sum_dim_accumulate(out.data(), x.value().data(), view.outer, view.n, view.inner, scale);
  return Var::from_op(op, std::move(out), {x}, [view, scale](std::span<Var> in, const Tensor& g) {
    Tensor dx(in[0].shape());
    kernels::sum_dim_backward(dx.data(), g.data(), view.outer, view.n, view.inner, scale);
    in[0].accumulate_grad(std::move(dx));
  });
}

}  // namespace

Var sum(const Var& x) { return reduce_all("sum", x, 1.0f); }

Var sum(const Var& x, int dim, bool keepdim) { return reduce_dim("sum", x, dim, keepdim, false); }

Var mean(const Var& x) { return reduce_all("mean", x, 1.0f / static_cast<float>(x.value().numel())); }

Var mean(const Var& x, int dim, bool keepdim) { return reduce_dim("mean", x, dim, keepdim, true); }

Var var(const Var& x, int dim, bool unbiased, bool keepdim) {
  const int64_t n = x.shape()[x.shape().axis(dim, "var")];
  if (n < (unbiased ? 2 : 1))
    throw ShapeError("var: dim " + std::to_string(dim) + " of shape " + x.shape().str() + " has " + std::to_string(n) +
                     (unbiased ? " elements; an unbiased variance needs at least 2" : " elements"));
  const Var deviation = sub(x, mean(x, dim, true));
  return mul(sum(square(deviation), dim, keepdim), 1.0f / static_cast<float>(unbiased ? n - 1 : n));
}

Var std_dev(const Var& x, int dim, bool unbiased, bool keepdim) { return sqrt(var(x, dim, unbiased, keepdim)); }

Var logsumexp(const Var& x, int dim, bool keepdim) {
  const int axis = x.shape().axis(dim, "logsumexp");
  Tensor shift = topk(x.value(), 1, axis, true).values;
  for (float& m : shift.values())
    if (!std::isfinite(m)) m = 0.0f;  // all -inf, or an inf or NaN that the sum will carry anyway
  const Var m(shift);
  const Var out = add(log(sum(exp(sub(x, m)), axis, true)), m);
  return keepdim ? out : reshape(out, kernels::reduced_shape(x.shape(), axis, false));
}

Var cumsum(const Var& x, int dim) {
  const kernels::AxisView view = kernels::view_around(x.shape(), x.shape().axis(dim, "cumsum"));
  Tensor out = Tensor::uninitialized(x.shape());
  kernels::cumsum_forward(out.data(), x.value().data(), view);
  return Var::from_op("cumsum", std::move(out), {x}, [view](std::span<Var> in, const Tensor& g) {
    Tensor dx(in[0].shape());
    kernels::cumsum_backward(dx.data(), g.data(), view);
    in[0].accumulate_grad(std::move(dx));
  });
}

}  // namespace sslflow
