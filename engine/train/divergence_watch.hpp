// DivergenceWatch: notices a loss that grows by orders of magnitude, as a far too large
// learning rate makes it, before it overflows. The scale is the largest |loss| of the first
// kWarmupSteps steps observed, and at least 0.1, so that a bounded loss starting near 0 (a
// negative cosine) may reach its bound; each time |loss| first reaches 100x, 1000x, ...
// that scale, observe() returns a warning naming the step (counted from 1, as metrics.jsonl's
// `step`), the loss and the learning rate. Training goes on: a warning is not an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sslflow::engine {

class DivergenceWatch {
 public:
  static constexpr int64_t kWarmupSteps = 5;
  static constexpr double kFirstWarning = 100.0;  // the growth of the first warning; each next is 10x more

  // After step `step` (0-based) with its loss and learning rate.
  std::optional<std::string> observe(int64_t step, double loss, double lr);

 private:
  int64_t seen_ = 0;
  double scale_ = 0.0;
  double next_warning_ = kFirstWarning;
};

}  // namespace sslflow::engine
