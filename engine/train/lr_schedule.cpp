#include "train/lr_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sslflow::engine {

double LrSchedule::at(int64_t step) const {
  if (step < warmup_steps) return base * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  if (kind == "constant") return base;
  const double span = static_cast<double>(std::max<int64_t>(1, total_steps - warmup_steps));
  const double progress = std::clamp(static_cast<double>(step - warmup_steps) / span, 0.0, 1.0);
  const double final_lr = base * final_fraction;
  return final_lr + (base - final_lr) * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
}

}  // namespace sslflow::engine
