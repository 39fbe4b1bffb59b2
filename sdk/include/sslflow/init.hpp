// Parameter initialisers, matching torch.nn.init, drawing from a counter-based Rng.
//
// Fans follow PyTorch: for a weight of shape [out, in, k...], fan_in = in * prod(k) and
// fan_out = out * prod(k); a 1-D tensor has fan_in = fan_out = its length.
#pragma once

#include "sslflow/export.hpp"
#include "sslflow/random.hpp"
#include "sslflow/tensor.hpp"

namespace sslflow::init {

struct Fans {
  int64_t in;
  int64_t out;
};
SSLFLOW_EXPORT Fans fans(const Shape& shape);

enum class FanMode { In, Out };

// The gain for ReLU (sqrt 2), as torch.nn.init.calculate_gain("relu").
inline constexpr double kReluGain = 1.4142135623730951;

// U(low, high)
SSLFLOW_EXPORT void uniform(Tensor& t, Rng& rng, double low, double high);
// N(0, std^2)
SSLFLOW_EXPORT void normal(Tensor& t, Rng& rng, double std);
// N(0, std^2) redrawn until within [-2 std, 2 std] (timm's trunc_normal_ with a = -2 std, b = 2 std).
SSLFLOW_EXPORT void truncated_normal(Tensor& t, Rng& rng, double std);
// N(0, (gain / sqrt(fan))^2): He et al. 2015.
SSLFLOW_EXPORT void kaiming_normal(Tensor& t, Rng& rng, double gain = kReluGain, FanMode mode = FanMode::In);
// U(-b, b), b = gain * sqrt(3 / fan).
SSLFLOW_EXPORT void kaiming_uniform(Tensor& t, Rng& rng, double gain = kReluGain, FanMode mode = FanMode::In);
// U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)): Glorot and Bengio 2010.
SSLFLOW_EXPORT void xavier_uniform(Tensor& t, Rng& rng, double gain = 1.0);

}  // namespace sslflow::init
