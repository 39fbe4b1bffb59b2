#include "train/progress.hpp"

#include <cstdio>

namespace sslflow::engine {

namespace {

constexpr double kRecentWeight = 0.1;  // each step's weight in the running mean: about ten steps
constexpr size_t kBarWidth = 24;

std::string bar(double fraction) {
  const auto filled = static_cast<size_t>(fraction * kBarWidth + 0.5);
  std::string text(kBarWidth + 2, '.');
  text.front() = '[';
  text.back() = ']';
  text.replace(1, filled, filled, '#');
  return text;
}

}  // namespace

std::string duration_text(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, s / 60 % 60);
  else
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  return buf;
}

Progress::Progress(std::ostream* out, bool redraw, int64_t batch_size, int64_t every)
    : out_(out), redraw_(redraw), batch_size_(batch_size), every_(every > 0 ? every : 1) {}

void Progress::plan(int64_t total_steps, int64_t steps_per_epoch) {
  total_ = total_steps;
  per_epoch_ = steps_per_epoch > 0 ? steps_per_epoch : 1;
}

double Progress::images_per_second() const {
  return mean_step_seconds_ > 0 ? static_cast<double>(batch_size_) / mean_step_seconds_ : 0.0;
}

std::string Progress::step_line(int64_t step, double loss, bool with_bar) const {
  const bool last = step + 1 == total_;
  const double fraction = total_ > 0 ? static_cast<double>(step + 1) / static_cast<double>(total_) : 1.0;
  const double eta = mean_step_seconds_ * static_cast<double>(total_ - step - 1);
  const long long epochs = (total_ + per_epoch_ - 1) / per_epoch_;
  char line[200];
  std::snprintf(line, sizeof line, "%s%3.0f%%  epoch %lld/%lld  step %lld/%lld  loss %.4f  %.0f img/s  %s %s",
                with_bar ? (bar(fraction) + " ").c_str() : "", 100.0 * fraction,
                static_cast<long long>(step / per_epoch_ + 1), epochs, static_cast<long long>(step + 1),
                static_cast<long long>(total_), loss, images_per_second(), last ? "took" : "ETA",
                duration_text(last ? session_seconds_ : eta).c_str());
  return line;
}

void Progress::step(int64_t step, double loss, double seconds) {
  last_step_seconds_ = seconds;
  session_seconds_ += seconds;
  mean_step_seconds_ = mean_step_seconds_ == 0.0 ? seconds : (1 - kRecentWeight) * mean_step_seconds_ + kRecentWeight * seconds;
  phase_.clear();
  const bool last = step + 1 == total_;
  if (!out_ || (!redraw_ && !last && (step + 1) % every_ != 0)) return;
  if (redraw_)
    redraw(step_line(step, loss, true), !last);
  else
    *out_ << step_line(step, loss, false) << '\n' << std::flush;
}

void Progress::phase(const std::string& text) {
  phase_ = text;
  if (!out_) return;
  if (redraw_)
    redraw(text, true);
  else
    *out_ << text << '\n' << std::flush;
}

void Progress::count(int64_t done, int64_t total) {
  if (!out_ || !redraw_ || total <= 0) return;
  char counted[64];
  std::snprintf(counted, sizeof counted, "  %lld/%lld (%.0f%%)", static_cast<long long>(done),
                static_cast<long long>(total), 100.0 * static_cast<double>(done) / static_cast<double>(total));
  redraw(phase_ + counted, true);
}

void Progress::end_phase() {
  phase_.clear();
  if (out_ && line_open_) *out_ << "\r\033[K" << std::flush;
  line_open_ = false;
}

void Progress::message(const std::string& text) {
  end_phase();
  if (out_) *out_ << text << '\n' << std::flush;
}

void Progress::redraw(const std::string& line, bool keep_open) {
  *out_ << "\r\033[K" << line << (keep_open ? "" : "\n") << std::flush;
  line_open_ = keep_open;
}

}  // namespace sslflow::engine
