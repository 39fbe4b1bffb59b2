// EmaScheduler: the momentum of a teacher that follows its student by exponential moving
// average, teacher <- m * teacher + (1 - m) * student (plugin kind "ema_scheduler").
//
// Lifecycle: constructed once per teacher node; momentum() is called once per training
// step, after the optimizer step, with the step just taken (0-based) and the run's total.
// Threading: momentum() is const and pure; it may be called from any thread.
// Contract: returns m in [0, 1].
#pragma once

#include <cstdint>

#include "sslflow/plugin.hpp"

namespace sslflow {

class SSLFLOW_EXPORT EmaScheduler : public Plugin {
 public:
  static constexpr const char* kKind = "ema_scheduler";
  ~EmaScheduler() override;
  virtual double momentum(int64_t step, int64_t total_steps) const = 0;
};

}  // namespace sslflow
