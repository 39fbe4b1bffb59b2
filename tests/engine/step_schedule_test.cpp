#include <catch2/catch.hpp>

#include "train/step_schedule.hpp"

using sslflow::engine::StepSchedule;
using sslflow::engine::TrainSpec;

namespace {

TrainSpec spec(int64_t epochs, int64_t max_steps, int64_t log_every, int64_t every_steps, int64_t every_epochs) {
  TrainSpec t;
  t.epochs = epochs;
  t.max_steps = max_steps;
  t.log_every_steps = log_every;
  t.checkpoint_every_steps = every_steps;
  t.checkpoint_every_epochs = every_epochs;
  return t;
}

}  // namespace

TEST_CASE("Engine.step_schedule.epochs_times_steps_or_max_steps", "[engine]") {
  REQUIRE(StepSchedule(spec(3, 0, 10, 0, 0), 4).total() == 12);
  REQUIRE(StepSchedule(spec(3, 7, 10, 0, 0), 4).total() == 7);
  REQUIRE(StepSchedule(spec(3, 50, 10, 0, 0), 4).total() == 12);
}

TEST_CASE("Engine.step_schedule.a_max_steps_run_ends_its_last_epoch_early", "[engine]") {
  const StepSchedule s(spec(3, 7, 10, 0, 0), 4);
  REQUIRE(s.epoch_of(3) == 0);
  REQUIRE(s.epoch_of(4) == 1);
  REQUIRE(s.ends_epoch(3));
  REQUIRE_FALSE(s.ends_epoch(4));
  REQUIRE(s.ends_epoch(6));  // the last step
  REQUIRE(s.is_last(6));
  REQUIRE(s.steps_after_epoch(0) == 4);
  REQUIRE(s.steps_after_epoch(1) == 7);
}

TEST_CASE("Engine.step_schedule.logs_every_n_steps_and_at_the_last", "[engine]") {
  const StepSchedule s(spec(1, 0, 5, 0, 0), 12);
  REQUIRE_FALSE(s.logs(3));
  REQUIRE(s.logs(4));
  REQUIRE(s.logs(9));
  REQUIRE_FALSE(s.logs(10));
  REQUIRE(s.logs(11));
}

TEST_CASE("Engine.step_schedule.checkpoints_by_steps_and_by_epochs", "[engine]") {
  const StepSchedule by_steps(spec(2, 0, 10, 3, 0), 5);
  REQUIRE_FALSE(by_steps.checkpoints(1));
  REQUIRE(by_steps.checkpoints(2));
  REQUIRE(by_steps.checkpoints(5));
  REQUIRE_FALSE(by_steps.checkpoints(4));  // an epoch's end, but not due by epochs

  const StepSchedule by_epochs(spec(4, 0, 10, 0, 2), 5);
  REQUIRE_FALSE(by_epochs.checkpoints(4));  // the first epoch's end
  REQUIRE(by_epochs.checkpoints(9));        // the second's
  REQUIRE_FALSE(by_epochs.checkpoints(8));
  REQUIRE(by_epochs.checkpoints(19));

  const StepSchedule never(spec(2, 0, 10, 0, 0), 5);
  for (int64_t step = 0; step < never.total(); ++step) REQUIRE_FALSE(never.checkpoints(step));
}
