// Progress reporting on stderr. On a terminal one line is redrawn in place: during training
// a bar with the percentage, epoch, step/total, loss, images/s and ETA; before it, the phase
// under way (opening the data, encoding a split for an evaluation) with its count. Elsewhere
// (a file, a pipe) plain lines: one per phase and one every `every` steps and at the end.
//
// The step rate and the ETA come from the durations of the recent steps only (an
// exponential average over about ten), so time spent before training, in evaluations or in
// a run before a resume never skews them.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace sslflow::engine {

class Progress {
 public:
  Progress(std::ostream* out, bool redraw, int64_t batch_size, int64_t every);
  // The run's steps, once they are known (before the first step()).
  void plan(int64_t total_steps, int64_t steps_per_epoch);

  // After step `step` (0-based) finished, having taken `seconds`.
  void step(int64_t step, double loss, double seconds);
  // A phase outside the steps begins (redrawn on a terminal, a line elsewhere); count() then
  // reports how far it has come, on a terminal only.
  void phase(const std::string& text);
  void count(int64_t done, int64_t total);
  // Ends a phase: its redrawn line is erased, so that the next output starts a line.
  void end_phase();
  // A line of its own.
  void message(const std::string& text);

  double images_per_second() const;  // over the recent steps
  double last_step_seconds() const { return last_step_seconds_; }

  // The line shown after `step`; a bar when `bar`. Exposed for tests.
  std::string step_line(int64_t step, double loss, bool bar) const;

 private:
  void redraw(const std::string& line, bool keep_open);

  std::ostream* out_;
  bool redraw_;
  int64_t total_ = 0;
  int64_t per_epoch_ = 1;
  int64_t batch_size_;
  int64_t every_;
  double mean_step_seconds_ = 0.0;  // exponential average of the recent steps
  double last_step_seconds_ = 0.0;
  double session_seconds_ = 0.0;    // the steps of this process, summed
  std::string phase_;
  bool line_open_ = false;
};

// "1h02m" from an hour up, else "3m07s".
std::string duration_text(double seconds);

}  // namespace sslflow::engine
