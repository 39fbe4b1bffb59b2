#include "ema_schedulers.hpp"

namespace sslflow::ema {

Schema Linear::schema() {
  return {
      Option("start", 0.999, "momentum at the first step; 0.999 as data2vec's ema_decay (Baevski et al. 2022)")
          .range(0.0, 1.0),
      Option("end", 0.9999, "momentum at the last step; 0.9999 as data2vec's ema_end_decay (Baevski et al. 2022)")
          .range(0.0, 1.0),
  };
}

Linear::Linear(const Params& params) : start_(params.get<double>("start")), end_(params.get<double>("end")) {}

double Linear::momentum(int64_t step, int64_t total_steps) const {
  return start_ + (end_ - start_) * progress(step, total_steps);
}

}  // namespace sslflow::ema
