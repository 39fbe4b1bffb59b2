// Learning-rate schedules: linear warm-up from 0 over `warmup_steps`, then constant or a
// half-cosine decay to `final_fraction * base` at the last step (SimSiam, BYOL, MAE).
#pragma once

#include <cstdint>
#include <string>

namespace sslflow::engine {

struct LrSchedule {
  std::string kind = "cosine";  // "cosine" or "constant"
  double base = 0.0;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;
  double final_fraction = 0.0;

  double at(int64_t step) const;
};

}  // namespace sslflow::engine
