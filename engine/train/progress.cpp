#include "train/progress.hpp"

#include <cstdio>

namespace sslflow::engine {

namespace {

std::string duration(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60));
  else
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  return buf;
}

}  // namespace

Progress::Progress(std::ostream* out, bool redraw, int64_t total_steps, int64_t batch_size, int64_t every)
    : out_(out), redraw_(redraw), total_(total_steps), batch_size_(batch_size), every_(every > 0 ? every : 1) {}

void Progress::step(int64_t step, int64_t epoch, double loss) {
  const auto now = Clock::now();
  const double dt = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  last_step_seconds_ = dt;
  const double instant = dt > 0 ? static_cast<double>(batch_size_) / dt : 0.0;
  rate_ = rate_ == 0.0 ? instant : 0.9 * rate_ + 0.1 * instant;
  const bool last = step + 1 == total_;
  if (!out_ || (!redraw_ && !last && (step + 1) % every_ != 0)) return;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double eta = elapsed / static_cast<double>(step + 1) * static_cast<double>(total_ - step - 1);
  char line[160];
  std::snprintf(line, sizeof line, "epoch %lld  step %lld/%lld  loss %.4f  %.0f img/s  %s %s",
                static_cast<long long>(epoch + 1), static_cast<long long>(step + 1), static_cast<long long>(total_), loss,
                rate_, last ? "took" : "ETA", duration(last ? elapsed : eta).c_str());
  if (redraw_) {
    *out_ << "\r\033[K" << line << (last ? "\n" : "") << std::flush;
    line_open_ = !last;
  } else {
    *out_ << line << '\n' << std::flush;
  }
}

void Progress::message(const std::string& text) {
  if (!out_) return;
  if (line_open_) *out_ << '\n';
  line_open_ = false;
  *out_ << text << '\n' << std::flush;
}

}  // namespace sslflow::engine
