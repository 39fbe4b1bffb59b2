#include "weight_norm_linear.hpp"

#include <cmath>

#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::dino {

WeightNormLinear::WeightNormLinear(int64_t in_features, int64_t out_features, bool fixed_norm, Rng& rng) {
  Tensor v(Shape{out_features, in_features});
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
  init::uniform(v, rng, -bound, bound);
  Tensor g = Tensor::full(Shape{out_features, 1}, 1.0f);
  // weight_norm registers weight_g before weight_v.
  if (fixed_norm)
    register_buffer("weight_g", g);
  else
    weight_g_ = register_parameter("weight_g", g);
  weight_v_ = register_parameter("weight_v", v);
}

Var WeightNormLinear::forward(const Var& x) const {
  const Var v = frozen_ ? weight_v_.detach() : weight_v_;
  const Var direction = l2_normalize(v, -1);  // (out, in), unit rows
  if (!weight_g_.defined()) return linear(x, direction);  // a fixed norm: g = 1
  const Var g = frozen_ ? weight_g_.detach() : weight_g_;
  return linear(x, direction * g);  // (out, in) * (out, 1)
}

}  // namespace sslflow::dino
