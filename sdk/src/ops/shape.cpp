// reshape, transpose, concat, slice and index_select (sslflow/ops.hpp).
#include <string>
#include <utility>
#include <vector>

#include "kernels/shape_kernels.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

using kernels::with_extent;

Var reshape(const Var& x, const Shape& shape) {
  if (shape.numel() != x.value().numel())
    throw ShapeError("reshape: cannot reshape " + x.shape().str() + " (" + std::to_string(x.value().numel()) +
                     " elements) to " + shape.str());
  return Var::from_op("reshape", x.value().reshape(shape), {x}, [](std::span<Var> in, const Tensor& g) {
    in[0].accumulate_grad(g.reshape(in[0].shape()));
  });
}

Var transpose(const Var& x, int dim0, int dim1) {
  const Shape& shape = x.shape();
  const int a = shape.axis(dim0, "transpose");
  const int b = shape.axis(dim1, "transpose");
  std::vector<int64_t> out_dims = shape.to_vector();
  std::swap(out_dims[a], out_dims[b]);
  // The kernels see the shape padded to four dimensions, so the axes shift with it.
  const kernels::Dims4 dims = kernels::pad_to_4d(shape);
  const int pad = Shape::kMaxDims - shape.rank();
  const int pa = a + pad;
  const int pb = b + pad;
  Tensor out = Tensor::uninitialized(Shape(out_dims));
  kernels::transpose_forward(out.data(), x.value().data(), dims, pa, pb);
  return Var::from_op("transpose", out, {x}, [dims, pa, pb](std::span<Var> in, const Tensor& g) {
    Tensor dx(in[0].shape());
    kernels::transpose_backward(dx.data(), g.data(), dims, pa, pb);
    in[0].accumulate_grad(std::move(dx));
  });
}

Var concat(const std::vector<Var>& xs, int dim) {
  if (xs.empty()) throw ShapeError("concat: no inputs");
  const Shape& first = xs[0].shape();
  const int axis = first.axis(dim, "concat");
  std::vector<int64_t> starts;  // offset of each input along the axis
  int64_t total = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Shape& s = xs[i].shape();
    bool fits = s.rank() == first.rank();
    for (int d = 0; fits && d < s.rank(); ++d) fits = d == axis || s[d] == first[d];
    if (!fits)
      throw ShapeError("concat: input " + std::to_string(i) + " has shape " + s.str() +
                       ", which does not match input 0 of shape " + first.str() + " outside dim " +
                       std::to_string(axis));
    starts.push_back(total);
    total += s[axis];
  }
  const Shape out_shape = with_extent(first, axis, total);
  const kernels::AxisView view = kernels::view_around(out_shape, axis);
  Tensor out = Tensor::uninitialized(out_shape);
  for (size_t i = 0; i < xs.size(); ++i)
    kernels::concat_forward(out.data(), xs[i].value().data(), view.outer, total, starts[i], xs[i].shape()[axis],
                            view.inner);
  return Var::from_op("concat", out, xs, [view, axis, starts = std::move(starts)](std::span<Var> in, const Tensor& g) {
    for (size_t i = 0; i < in.size(); ++i) {
      if (!in[i].requires_grad()) continue;
      Tensor dx(in[i].shape());
      kernels::concat_backward(dx.data(), g.data(), view.outer, view.size, starts[i], in[i].shape()[axis],
                               view.inner);
      in[i].accumulate_grad(std::move(dx));
    }
  });
}

Var slice(const Var& x, int dim, int64_t start, int64_t end) {
  const Shape& shape = x.shape();
  const int axis = shape.axis(dim, "slice");
  if (start < 0 || end < start || end > shape[axis])
    throw ShapeError("slice: range [" + std::to_string(start) + ", " + std::to_string(end) +
                     ") is out of bounds for dim " + std::to_string(axis) + " of shape " + shape.str());
  const kernels::AxisView view = kernels::view_around(shape, axis);
  Tensor out = Tensor::uninitialized(with_extent(shape, axis, end - start));
  kernels::slice_forward(out.data(), x.value().data(), view.outer, view.size, start, end - start, view.inner);
  return Var::from_op("slice", out, {x}, [view, start, len = end - start](std::span<Var> in, const Tensor& g) {
    Tensor dx(in[0].shape());
    kernels::slice_backward(dx.data(), g.data(), view.outer, view.size, start, len, view.inner);
    in[0].accumulate_grad(std::move(dx));
  });
}

Var index_select(const Var& x, int dim, const std::vector<int64_t>& index) {
  const Shape& shape = x.shape();
  const int axis = shape.axis(dim, "index_select");
  for (int64_t i : index)
    if (i < 0 || i >= shape[axis])
      throw ShapeError("index_select: index " + std::to_string(i) + " is out of range for dim " +
                       std::to_string(axis) + " of shape " + shape.str());
  const kernels::AxisView view = kernels::view_around(shape, axis);
  const auto count = static_cast<int64_t>(index.size());
  Tensor out = Tensor::uninitialized(with_extent(shape, axis, count));
  kernels::index_select_forward(out.data(), x.value().data(), index.data(), count, view.outer, view.size,
                                view.inner);
  return Var::from_op("index_select", out, {x}, [view, index](std::span<Var> in, const Tensor& g) {
    Tensor dx(in[0].shape());
    kernels::index_select_backward(dx.data(), g.data(), index.data(), static_cast<int64_t>(index.size()),
                                   view.outer, view.size, view.inner);
    in[0].accumulate_grad(std::move(dx));
  });
}

}  // namespace sslflow
