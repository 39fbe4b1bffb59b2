#include "train/step_schedule.hpp"

#include <algorithm>

namespace sslflow::engine {

StepSchedule::StepSchedule(const TrainSpec& train, int64_t steps_per_epoch)
    : per_epoch_(steps_per_epoch),
      total_(train.max_steps > 0 ? std::min(train.max_steps, train.epochs * steps_per_epoch)
                                 : train.epochs * steps_per_epoch),
      log_every_(train.log_every_steps),
      checkpoint_every_steps_(train.checkpoint_every_steps),
      checkpoint_every_epochs_(train.checkpoint_every_epochs) {}

int64_t StepSchedule::steps_after_epoch(int64_t epoch) const { return std::min(total_, (epoch + 1) * per_epoch_); }

bool StepSchedule::checkpoints(int64_t step) const {
  const bool by_steps = checkpoint_every_steps_ > 0 && (step + 1) % checkpoint_every_steps_ == 0;
  const bool by_epochs =
      ends_epoch(step) && checkpoint_every_epochs_ > 0 && (epoch_of(step) + 1) % checkpoint_every_epochs_ == 0;
  return by_steps || by_epochs;
}

}  // namespace sslflow::engine
