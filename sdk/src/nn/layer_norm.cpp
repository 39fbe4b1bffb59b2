#include "sslflow/nn/layer_norm.hpp"

#include "sslflow/ops.hpp"

namespace sslflow::nn {

LayerNorm::LayerNorm(int64_t dim, float eps) : eps_(eps) {
  weight = register_parameter("weight", Tensor::full(Shape{dim}, 1.0f));
  bias = register_parameter("bias", Tensor(Shape{dim}));
}

Var LayerNorm::forward(const Var& x) const { return layer_norm(x, weight, bias, eps_); }

}  // namespace sslflow::nn
