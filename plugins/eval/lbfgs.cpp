#include "lbfgs.hpp"

#include <algorithm>
#include <cmath>
#include <deque>

#include "sslflow/stop.hpp"

namespace sslflow::eval {

namespace {

constexpr double kArmijo = 1e-4;
constexpr int kMaxBacktracks = 20;

double dot(std::span<const double> a, std::span<const double> b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double max_abs(std::span<const double> a) {
  double m = 0.0;
  for (double v : a) m = std::max(m, std::abs(v));
  return m;
}

// One stored step s = x_{k+1} - x_k and gradient change y = g_{k+1} - g_k.
struct Correction {
  std::vector<double> s;
  std::vector<double> y;
  double rho;  // 1 / s.y
};

// The two-loop recursion: -H g for the inverse-Hessian approximation H of `history`.
std::vector<double> direction(const std::deque<Correction>& history, std::span<const double> g) {
  std::vector<double> d(g.begin(), g.end());
  std::vector<double> alpha(history.size());
  for (size_t i = history.size(); i-- > 0;) {
    alpha[i] = history[i].rho * dot(history[i].s, d);
    for (size_t j = 0; j < d.size(); ++j) d[j] -= alpha[i] * history[i].y[j];
  }
  if (!history.empty()) {
    const Correction& last = history.back();
    const double gamma = 1.0 / (last.rho * dot(last.y, last.y));
    for (double& v : d) v *= gamma;
  }
  for (size_t i = 0; i < history.size(); ++i) {
    const double beta = history[i].rho * dot(history[i].y, d);
    for (size_t j = 0; j < d.size(); ++j) d[j] += (alpha[i] - beta) * history[i].s[j];
  }
  for (double& v : d) v = -v;
  return d;
}

}  // namespace

LbfgsResult minimize_lbfgs(const Objective& f, std::vector<double> x, const LbfgsOptions& options) {
  const size_t n = x.size();
  std::vector<double> g(n), g_new(n), x_new(n);
  double fx = f(x, g);
  std::deque<Correction> history;
  int64_t iteration = 0;
  while (iteration < options.max_iterations && max_abs(g) > options.gradient_tolerance) {
    check_stop();
    std::vector<double> d = direction(history, g);
    double slope = dot(g, d);
    if (!(slope < 0.0)) {  // not a descent direction: restart from steepest descent
      history.clear();
      d = direction(history, g);
      slope = dot(g, d);
    }
    double l1 = 0.0;
    for (double v : g) l1 += std::abs(v);
    double t = iteration == 0 ? std::min(1.0, 1.0 / l1) : 1.0;
    double f_new = 0.0;
    bool accepted = false;
    for (int trial = 0; trial < kMaxBacktracks && !accepted; ++trial) {
      for (size_t i = 0; i < n; ++i) x_new[i] = x[i] + t * d[i];
      f_new = f(x_new, g_new);
      accepted = std::isfinite(f_new) && f_new <= fx + kArmijo * t * slope;
      if (!accepted) {
        // The minimum of the quadratic through f(0), f'(0) and f(t), kept within [t/10, t/2].
        const double curvature = f_new - fx - slope * t;
        const double t_quad = std::isfinite(curvature) && curvature > 0.0 ? -slope * t * t / (2.0 * curvature) : 0.0;
        t = std::clamp(t_quad, 0.1 * t, 0.5 * t);
      }
    }
    if (!accepted) break;
    ++iteration;

    Correction c{std::vector<double>(n), std::vector<double>(n), 0.0};
    for (size_t i = 0; i < n; ++i) {
      c.s[i] = x_new[i] - x[i];
      c.y[i] = g_new[i] - g[i];
    }
    const double sy = dot(c.s, c.y);
    const double step = max_abs(c.s);
    const double change = std::abs(fx - f_new);
    if (sy > 0.0) {
      c.rho = 1.0 / sy;
      history.push_back(std::move(c));
      if (int64_t(history.size()) > options.history) history.pop_front();
    }
    x.swap(x_new);
    g.swap(g_new);
    fx = f_new;
    if (change <= options.change_tolerance || step <= options.change_tolerance) break;
  }
  return {std::move(x), fx, max_abs(g), iteration};
}

}  // namespace sslflow::eval
