// 2-D convolution as torch.nn.Conv2d: weight [out, in, k, k], bias [out], initialised
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in * k * k (PyTorch's default).
#pragma once

#include "sslflow/module.hpp"
#include "sslflow/random.hpp"

namespace sslflow::nn {

class SSLFLOW_EXPORT Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, int kernel, int stride, int padding, Rng& rng,
         bool bias = true);
  Var forward(const Var& x) const;  // (N, in, H, W) -> (N, out, H', W')

  Var weight;
  Var bias;
  int stride;
  int padding;
};

}  // namespace sslflow::nn
