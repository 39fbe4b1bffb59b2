#include "sslflow/nn/multi_head_attention.hpp"

#include "sslflow/error.hpp"
#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::nn {

MultiHeadAttention::MultiHeadAttention(int64_t dim, int heads, Rng& rng) : heads_(heads) {
  if (heads <= 0 || dim % heads != 0)
    throw ShapeError("MultiHeadAttention: " + std::to_string(heads) + " heads do not divide dimension " +
                     std::to_string(dim));
  Tensor w(Shape{3 * dim, dim});
  init::xavier_uniform(w, rng);
  in_proj_weight = register_parameter("in_proj_weight", w);
  in_proj_bias = register_parameter("in_proj_bias", Tensor(Shape{3 * dim}));
  out_proj = register_module("out_proj", std::make_shared<Linear>(dim, dim, rng));
  out_proj->bias.value().fill(0.0f);
}

Var MultiHeadAttention::forward(const Var& x) const {
  return multi_head_attention(x, in_proj_weight, in_proj_bias, out_proj->weight, out_proj->bias, heads_);
}

}  // namespace sslflow::nn
