// gather, scatter, scatter_add, where, diagonal and eye (sslflow/ops.hpp).
#include <algorithm>
#include <string>
#include <utility>

#include "kernels/index_kernels.hpp"
#include "ops/grad_buffers.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

using detail::accumulate_if_defined;
using detail::data_or_null;
using detail::grad_buffer;
using detail::needs_grad;

namespace {

// The view of x around dim, once `index` is known to fit x along it: x's rank, x's extents
// except along dim, every value in [0, x's extent there).
kernels::AxisView checked_index_view(const char* op, const Shape& x, int dim, const Indices& index) {
  const int axis = x.axis(dim, op);
  bool fits = index.shape.rank() == x.rank() && static_cast<int64_t>(index.values.size()) == index.shape.numel();
  for (int d = 0; fits && d < x.rank(); ++d) fits = d == axis || index.shape[d] == x[d];
  if (!fits)
    throw ShapeError(std::string(op) + ": an index of shape " + index.shape.str() + " (" +
                     std::to_string(index.values.size()) + " values) does not fit a tensor of shape " + x.str() +
                     " along dim " + std::to_string(axis) + "; it needs the same extents except along dim");
  for (int64_t i : index.values)
    if (i < 0 || i >= x[axis])
      throw ShapeError(std::string(op) + ": index " + std::to_string(i) + " is out of range for dim " +
                       std::to_string(axis) + " of shape " + x.str());
  return kernels::view_around(x, axis);
}

// scatter and scatter_add: out = x, then src written into it at index along dim.
Var scatter_op(const char* op, const Var& x, int dim, const Indices& index, const Var& src, bool accumulate) {
  const kernels::AxisView view = checked_index_view(op, x.shape(), dim, index);
  expect_shape(op, src.shape(), index.shape);
  const int64_t count = index.shape[x.shape().axis(dim, op)];
  Tensor out = x.value().clone();
  if (accumulate)
    kernels::gather_backward(out.data(), src.value().data(), index.values.data(), view, count);
  else
    kernels::scatter_assign(out.data(), src.value().data(), index.values.data(), view, count);
  return Var::from_op(op, std::move(out), {x, src},
                      [view, count, index = index.values, accumulate](std::span<Var> in, const Tensor& g) {
                        if (needs_grad(in[0])) {
                          if (accumulate) {
                            in[0].accumulate_grad(g);
                          } else {
                            Tensor dx(in[0].shape());
                            kernels::scatter_backward_input(dx.data(), g.data(), index.data(), view, count);
                            in[0].accumulate_grad(std::move(dx));
                          }
                        }
                        if (needs_grad(in[1])) {
                          Tensor dsrc = Tensor::uninitialized(in[1].shape());
                          kernels::gather_forward(dsrc.data(), g.data(), index.data(), view, count);
                          in[1].accumulate_grad(std::move(dsrc));
                        }
                      });
}

}  // namespace

Var gather(const Var& x, int dim, const Indices& index) {
  const kernels::AxisView view = checked_index_view("gather", x.shape(), dim, index);
  const int64_t count = index.shape[x.shape().axis(dim, "gather")];
  Tensor out = Tensor::uninitialized(index.shape);
  kernels::gather_forward(out.data(), x.value().data(), index.values.data(), view, count);
  return Var::from_op("gather", std::move(out), {x}, [view, count, index = index.values](std::span<Var> in,
                                                                                         const Tensor& g) {
    Tensor dx(in[0].shape());
    kernels::gather_backward(dx.data(), g.data(), index.data(), view, count);
    in[0].accumulate_grad(std::move(dx));
  });
}

Var scatter(const Var& x, int dim, const Indices& index, const Var& src) {
  return scatter_op("scatter", x, dim, index, src, false);
}

Var scatter_add(const Var& x, int dim, const Indices& index, const Var& src) {
  return scatter_op("scatter_add", x, dim, index, src, true);
}

Var where(const Tensor& condition, const Var& a, const Var& b) {
  expect_shape("where", a.shape(), condition.shape());
  expect_shape("where", b.shape(), condition.shape());
  Tensor out = Tensor::uninitialized(condition.shape());
  kernels::where_forward(out.data(), condition.data(), a.value().data(), b.value().data(), out.numel());
  return Var::from_op("where", std::move(out), {a, b}, [condition](std::span<Var> in, const Tensor& g) {
    Tensor da = grad_buffer(in[0]);
    Tensor db = grad_buffer(in[1]);
    kernels::where_backward(data_or_null(da), data_or_null(db), g.data(), condition.data(), g.numel());
    accumulate_if_defined(in[0], std::move(da));
    accumulate_if_defined(in[1], std::move(db));
  });
}

Var diagonal(const Var& x) {
  if (x.rank() != 2) throw ShapeError("diagonal: expected a matrix (rank 2), got shape " + x.shape().str());
  const int64_t rows = x.dim(0), cols = x.dim(1);
  Tensor out = Tensor::uninitialized(Shape{std::min(rows, cols)});
  kernels::diagonal_forward(out.data(), x.value().data(), rows, cols);
  return Var::from_op("diagonal", std::move(out), {x}, [rows, cols](std::span<Var> in, const Tensor& g) {
    Tensor dx(in[0].shape());
    kernels::diagonal_backward(dx.data(), g.data(), rows, cols);
    in[0].accumulate_grad(std::move(dx));
  });
}

Tensor eye(int64_t n) {
  if (n < 0) throw ShapeError("eye: the size must not be negative, got " + std::to_string(n));
  Tensor out(Shape{n, n});
  for (int64_t k = 0; k < n; ++k) out.data()[k * n + k] = 1.0f;
  return out;
}

}  // namespace sslflow
