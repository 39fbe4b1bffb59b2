#include "sslflow/init.hpp"

#include <cmath>

#include "sslflow/error.hpp"

namespace sslflow::init {

Fans fans(const Shape& shape) {
  if (shape.rank() == 0) throw ShapeError("init: a scalar has no fans");
  if (shape.rank() == 1) return {shape[0], shape[0]};
  int64_t receptive = 1;
  for (int i = 2; i < shape.rank(); ++i) receptive *= shape[i];
  return {shape[1] * receptive, shape[0] * receptive};
}

static double fan(const Shape& shape, FanMode mode) {
  Fans f = fans(shape);
  int64_t n = mode == FanMode::In ? f.in : f.out;
  if (n == 0) throw ShapeError("init: zero fan for shape " + shape.str());
  return static_cast<double>(n);
}

void uniform(Tensor& t, Rng& rng, double low, double high) {
  for (float& x : t.values()) x = rng.uniform(static_cast<float>(low), static_cast<float>(high));
}

void normal(Tensor& t, Rng& rng, double std) {
  for (float& x : t.values()) x = static_cast<float>(std) * rng.normal();
}

void truncated_normal(Tensor& t, Rng& rng, double std) {
  for (float& x : t.values()) {
    float z;
    do z = rng.normal();
    while (std::abs(z) > 2.0f);
    x = static_cast<float>(std) * z;
  }
}

void kaiming_normal(Tensor& t, Rng& rng, double gain, FanMode mode) {
  normal(t, rng, gain / std::sqrt(fan(t.shape(), mode)));
}

void kaiming_uniform(Tensor& t, Rng& rng, double gain, FanMode mode) {
  double bound = gain * std::sqrt(3.0 / fan(t.shape(), mode));
  uniform(t, rng, -bound, bound);
}

void xavier_uniform(Tensor& t, Rng& rng, double gain) {
  Fans f = fans(t.shape());
  double bound = gain * std::sqrt(6.0 / static_cast<double>(f.in + f.out));
  uniform(t, rng, -bound, bound);
}

}  // namespace sslflow::init
