#include <cmath>
#include <numbers>

#include "ema_schedulers.hpp"

namespace sslflow::ema {

Schema Cosine::schema() {
  return {Option("base", 0.996, "momentum at the first step, rising to 1; 0.996 as BYOL's tau_base (Grill et al. 2020)")
              .range(0.0, 1.0)};
}

Cosine::Cosine(const Params& params) : base_(params.get<double>("base")) {}

double Cosine::momentum(int64_t step, int64_t total_steps) const {
  return 1.0 - (1.0 - base_) * (std::cos(std::numbers::pi * progress(step, total_steps)) + 1.0) / 2.0;
}

}  // namespace sslflow::ema
