// StepSchedule: the steps of a run and what falls due after each, from the `train:`
// section and the loader's steps per epoch. Steps are numbered from 0 across epochs; a run
// takes epochs * steps_per_epoch of them, or max_steps when that is fewer.
#pragma once

#include <cstdint>

#include "graph/validated_pipeline.hpp"

namespace sslflow::engine {

class StepSchedule {
 public:
  StepSchedule(const TrainSpec& train, int64_t steps_per_epoch);

  int64_t steps_per_epoch() const { return per_epoch_; }
  int64_t total() const { return total_; }
  int64_t epoch_of(int64_t step) const { return step / per_epoch_; }
  // The steps done once `epoch` (0-based) has ended: the last epoch may end early.
  int64_t steps_after_epoch(int64_t epoch) const;

  // After step `step`:
  bool is_last(int64_t step) const { return step + 1 == total_; }
  bool ends_epoch(int64_t step) const { return (step + 1) % per_epoch_ == 0 || is_last(step); }
  bool logs(int64_t step) const { return (step + 1) % log_every_ == 0 || is_last(step); }
  bool checkpoints(int64_t step) const;

 private:
  int64_t per_epoch_;
  int64_t total_;
  int64_t log_every_;
  int64_t checkpoint_every_steps_;
  int64_t checkpoint_every_epochs_;
};

}  // namespace sslflow::engine
