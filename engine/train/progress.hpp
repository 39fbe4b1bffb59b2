// Progress reporting on stderr: on a terminal one line redrawn in place (step, loss,
// images/s, ETA); otherwise a plain line every `every` steps and at the end.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace sslflow::engine {

class Progress {
 public:
  Progress(std::ostream* out, bool redraw, int64_t total_steps, int64_t batch_size, int64_t every);
  void step(int64_t step, int64_t epoch, double loss);  // after step `step` (0-based) finished
  void message(const std::string& text);                // a line of its own
  double images_per_second() const { return rate_; }  // smoothed over recent steps
  double last_step_seconds() const { return last_step_seconds_; }

 private:
  using Clock = std::chrono::steady_clock;

  std::ostream* out_;
  bool redraw_;
  int64_t total_;
  int64_t batch_size_;
  int64_t every_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_ = Clock::now();
  double rate_ = 0.0;
  double last_step_seconds_ = 0.0;
  bool line_open_ = false;
};

}  // namespace sslflow::engine
