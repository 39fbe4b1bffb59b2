#include "train/divergence_watch.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sslflow::engine {

namespace {

// The smallest scale a loss is measured against: a loss that starts near 0 (a negative
// cosine between random networks) is not diverging when it reaches -1.
constexpr double kScaleFloor = 0.1;

}  // namespace

std::optional<std::string> DivergenceWatch::observe(int64_t step, double loss, double lr) {
  const double magnitude = std::fabs(loss);
  if (seen_++ < kWarmupSteps) {
    scale_ = std::max({scale_, magnitude, kScaleFloor});
    return std::nullopt;
  }
  if (!(magnitude >= next_warning_ * scale_)) return std::nullopt;
  double growth = next_warning_;
  while (magnitude >= 10 * growth * scale_) growth *= 10;
  next_warning_ = 10 * growth;
  char text[256];
  std::snprintf(text, sizeof text,
                "warning: step %lld: the loss is %.4g, %.0fx its scale over the first %lld steps (%.4g), at lr %.4g: "
                "the run may be diverging; a smaller train.optimizer.lr or train.clip_grad_norm may help",
                static_cast<long long>(step + 1), loss, growth, static_cast<long long>(kWarmupSteps), scale_, lr);
  return std::string(text);
}

}  // namespace sslflow::engine
