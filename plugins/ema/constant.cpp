#include "ema_schedulers.hpp"

namespace sslflow::ema {

Schema Constant::schema() {
  return {Option("momentum", 0.999, "teacher momentum m; 0.999 as MoCo (He et al. 2020)").range(0.0, 1.0)};
}

Constant::Constant(const Params& params) : momentum_(params.get<double>("momentum")) {}

double Constant::momentum(int64_t, int64_t) const { return momentum_; }

}  // namespace sslflow::ema
