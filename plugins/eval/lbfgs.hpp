// Limited-memory BFGS for smooth unconstrained minimisation in double precision
// (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 7.4 and 7.5).
//
// Each iteration takes the two-loop direction from the last `history` steps (initial
// Hessian s.y / y.y), and a backtracking line search on the Armijo condition with
// c1 = 1e-4, starting from a unit step (the first from min(1, 1 / |g|_1), as
// torch.optim.LBFGS) and shrinking by quadratic interpolation. Pairs with s.y <= 0 are
// not stored. It stops after max_iterations, when max |g| <= gradient_tolerance, when a
// step changes f or every coordinate by at most change_tolerance (torch.optim.LBFGS's
// tests), or when the line search finds no decrease (f flat to its rounding).
// A stop request (sslflow/stop.hpp) ends it between iterations with StopRequested.
// Deterministic: the same objective and start give the same iterates.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace sslflow::eval {

// Returns f(x) and writes its gradient into `gradient` (same size as x).
using Objective = std::function<double(std::span<const double> x, std::span<double> gradient)>;

struct LbfgsOptions {
  int64_t max_iterations = 200;
  int64_t history = 10;
  double gradient_tolerance = 1e-7;
  double change_tolerance = 1e-9;
};

struct LbfgsResult {
  std::vector<double> x;
  double value = 0.0;
  double max_gradient = 0.0;  // max |g| at x
  int64_t iterations = 0;
};

LbfgsResult minimize_lbfgs(const Objective& f, std::vector<double> x, const LbfgsOptions& options);

}  // namespace sslflow::eval
