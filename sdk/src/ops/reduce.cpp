// Reductions: sum and mean over all elements or along one dimension.
#include <utility>

#include "kernels/reduce_kernels.hpp"
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

}  // namespace sslflow
