#include "sslflow/nn/conv2d.hpp"

#include <cmath>

#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::nn {

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, int kernel, int stride_, int padding_, Rng& rng,
               bool with_bias)
    : stride(stride_), padding(padding_) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_channels * kernel * kernel));
  Tensor w(Shape{out_channels, in_channels, kernel, kernel});
  init::uniform(w, rng, -bound, bound);
  weight = register_parameter("weight", w);
  if (with_bias) {
    Tensor b(Shape{out_channels});
    init::uniform(b, rng, -bound, bound);
    bias = register_parameter("bias", b);
  }
}

Var Conv2d::forward(const Var& x) const { return conv2d(x, weight, bias, stride, padding); }

}  // namespace sslflow::nn
