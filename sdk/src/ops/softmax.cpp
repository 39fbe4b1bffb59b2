// softmax and log_softmax along any dimension (sslflow/ops.hpp).
#include <utility>

#include "kernels/shape_kernels.hpp"
#include "kernels/softmax_kernels.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

namespace {

using Forward = void (*)(float*, const float*, int64_t, int64_t, int64_t);
using Backward = void (*)(float*, const float*, const float*, int64_t, int64_t, int64_t);

// Both ops save their output, which is all their backward reads.
Var softmax_op(const char* name, Forward forward, Backward backward, const Var& x, int dim) {
  const kernels::AxisView view = kernels::view_around(x.shape(), x.shape().axis(dim, name));
  Tensor out = Tensor::uninitialized(x.shape());
  forward(out.data(), x.value().data(), view.outer, view.size, view.inner);
  return Var::from_op(name, out, {x}, [backward, view, out](std::span<Var> in, const Tensor& g) {
    Tensor dx(in[0].shape());
    backward(dx.data(), g.data(), out.data(), view.outer, view.size, view.inner);
    in[0].accumulate_grad(std::move(dx));
  });
}

}  // namespace

Var softmax(const Var& x, int dim) {
  return softmax_op("softmax", kernels::softmax_forward, kernels::softmax_backward, x, dim);
}

Var log_softmax(const Var& x, int dim) {
  return softmax_op("log_softmax", kernels::log_softmax_forward, kernels::log_softmax_backward, x, dim);
}

}  // namespace sslflow
