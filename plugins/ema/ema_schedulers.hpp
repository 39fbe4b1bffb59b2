// The shipped EMA schedulers (kind ema_scheduler): the teacher's momentum m at each step.
//
//   constant  m                                                        (MoCo)
//   linear    start + (end - start) * step / total                      (data2vec)
//   cosine    end - (end - start) * (cos(pi * step / total) + 1) / 2    (BYOL: end 1;
//             stable-pretraining's Data2Vec: 0.999 -> 0.9999)
//
// Steps past the end of the run hold the final value; a run of no steps is at its end.
// Threading: momentum() is const and pure, as the EmaScheduler interface requires.
#pragma once

#include <cstdint>

#include "sslflow/interfaces/ema_scheduler.hpp"
#include "sslflow/params.hpp"

namespace sslflow::ema {

// How far through the run `step` is, in [0, 1].
inline double progress(int64_t step, int64_t total_steps) {
  if (total_steps <= 0 || step >= total_steps) return 1.0;
  if (step <= 0) return 0.0;
  return double(step) / double(total_steps);
}

class Constant final : public EmaScheduler {
 public:
  static Schema schema();
  explicit Constant(const Params& params);
  double momentum(int64_t step, int64_t total_steps) const override;

 private:
  double momentum_;
};

class Linear final : public EmaScheduler {
 public:
  static Schema schema();
  explicit Linear(const Params& params);
  double momentum(int64_t step, int64_t total_steps) const override;

 private:
  double start_;
  double end_;
};

class Cosine final : public EmaScheduler {
 public:
  static Schema schema();
  explicit Cosine(const Params& params);
  double momentum(int64_t step, int64_t total_steps) const override;

 private:
  double start_;
  double end_;
};

}  // namespace sslflow::ema
