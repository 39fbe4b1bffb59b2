#include "sslflow/nn/linear.hpp"

#include <cmath>

#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::nn {

Linear::Linear(int64_t in_features, int64_t out_features, Rng& rng, bool with_bias) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
  Tensor w(Shape{out_features, in_features});
  init::uniform(w, rng, -bound, bound);
  weight = register_parameter("weight", w);
  if (with_bias) {
    Tensor b(Shape{out_features});
    init::uniform(b, rng, -bound, bound);
    bias = register_parameter("bias", b);
  }
}

Var Linear::forward(const Var& x) const { return linear(x, weight, bias); }

}  // namespace sslflow::nn
