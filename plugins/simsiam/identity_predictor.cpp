#include "identity_predictor.hpp"

#include "sslflow/ops.hpp"

namespace sslflow::simsiam {

IdentityPredictor::IdentityPredictor(int64_t dim) {
  Tensor split(Shape{2 * dim, dim});  // (2D, D)
  Tensor merge(Shape{dim, 2 * dim});  // (D, 2D)
  for (int64_t i = 0; i < dim; ++i) {
    split.data()[i * dim + i] = 1.0f;
    split.data()[(dim + i) * dim + i] = -1.0f;
    merge.data()[i * 2 * dim + i] = 1.0f;
    merge.data()[i * 2 * dim + dim + i] = -1.0f;
  }
  split_ = register_buffer("split", split);
  merge_ = register_buffer("merge", merge);
}

Var IdentityPredictor::forward(const Var& p) const { return linear(relu(linear(p, Var(split_))), Var(merge_)); }

}  // namespace sslflow::simsiam
