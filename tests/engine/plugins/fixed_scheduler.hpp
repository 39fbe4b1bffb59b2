// A minimal EMA scheduler for the loader's test plugin libraries: a fixed momentum.
#pragma once

#include "sslflow/interfaces/ema_scheduler.hpp"
#include "sslflow/params.hpp"

namespace sslflow::test {

class FixedScheduler final : public EmaScheduler {
 public:
  static Schema schema() { return {Option("momentum", 0.5, "the momentum returned at every step").range(0.0, 1.0)}; }
  explicit FixedScheduler(const Params& params) : momentum_(params.get<double>("momentum")) {}
  double momentum(int64_t, int64_t) const override { return momentum_; }

 private:
  double momentum_;
};

}  // namespace sslflow::test
