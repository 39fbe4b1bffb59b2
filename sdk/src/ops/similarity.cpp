// Similarity ops: L2 normalisation and cosine similarity along one dimension.
#include <string>
#include <utility>

#include "kernels/reduce_kernels.hpp"
#include "ops/grad_buffers.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

Var l2_normalize(const Var& x, int dim, float eps) {
  const int axis = x.shape().axis(dim, "l2_normalize");
  const kernels::DimView view = kernels::dim_view(x.shape(), axis);
  Tensor y = Tensor::uninitialized(x.shape());
  Tensor d = Tensor::uninitialized(kernels::reduced_shape(x.shape(), axis, false));  // (outer, inner)
  kernels::l2_normalize_forward(y.data(), d.data(), x.value().data(), view.outer, view.n, view.inner, eps);
  return Var::from_op("l2_normalize", y, {x}, [y, d, view, eps](std::span<Var> in, const Tensor& g) {
    Tensor dx(in[0].shape());
    kernels::l2_normalize_backward(dx.data(), g.data(), y.data(), d.data(), view.outer, view.n, view.inner, eps);
    in[0].accumulate_grad(std::move(dx));
  });
}

Var cosine_similarity(const Var& a, const Var& b, int dim, float eps) {
  if (!(a.shape() == b.shape()))
    throw ShapeError("cosine_similarity: shapes " + a.shape().str() + " and " + b.shape().str() + " differ");
  const int axis = a.shape().axis(dim, "cosine_similarity");
  const kernels::DimView view = kernels::dim_view(a.shape(), axis);
  const Shape out_shape = kernels::reduced_shape(a.shape(), axis, false);
  Tensor out = Tensor::uninitialized(out_shape);
  Tensor da = Tensor::uninitialized(out_shape);  // (outer, inner)
  Tensor db = Tensor::uninitialized(out_shape);  // (outer, inner)
  kernels::cosine_similarity_forward(out.data(), da.data(), db.data(), a.value().data(), b.value().data(), view.outer,
                                     view.n, view.inner, eps);
  return Var::from_op("cosine_similarity", out, {a, b}, [out, da, db, view](std::span<Var> in, const Tensor& g) {
    Tensor grad_a = detail::grad_buffer(in[0]);
    Tensor grad_b = detail::grad_buffer(in[1]);
    kernels::cosine_similarity_backward(detail::data_or_null(grad_a), detail::data_or_null(grad_b), g.data(), out.data(),
                                        in[0].value().data(), in[1].value().data(), da.data(), db.data(), view.outer,
                                        view.n, view.inner);
    detail::accumulate_if_defined(in[0], std::move(grad_a));
    detail::accumulate_if_defined(in[1], std::move(grad_b));
  });
}

}  // namespace sslflow
