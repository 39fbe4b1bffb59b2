#include <cmath>
#include <numbers>

#include "ema_schedulers.hpp"

namespace sslflow::ema {

Schema Cosine::schema() {
  return {
      Option("start", 0.996,
             "momentum at the first step; 0.996 as BYOL's tau_base (Grill et al. 2020) and stable-pretraining's "
             "TeacherStudentWrapper; its Data2Vec starts at 0.999")
          .range(0.0, 1.0),
      Option("end", 1.0,
             "momentum at the last step; 1 as BYOL (Grill et al. 2020); stable-pretraining's Data2Vec ends at 0.9999")
          .range(0.0, 1.0),
  };
}

Cosine::Cosine(const Params& params) : start_(params.get<double>("start")), end_(params.get<double>("end")) {}

// stable_pretraining/backbone/utils.py:467-469, TeacherStudentWrapper.update_ema_coefficient:
// final - 0.5 * (final - base) * (1 + cos(pi * epoch / total_epochs)), taken here per step.
double Cosine::momentum(int64_t step, int64_t total_steps) const {
  return end_ - (end_ - start_) * (std::cos(std::numbers::pi * progress(step, total_steps)) + 1.0) / 2.0;
}

}  // namespace sslflow::ema
