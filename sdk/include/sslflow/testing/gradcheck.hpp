// Finite-difference gradient check for ops, losses and modules (header-only).
//
// gradcheck(f, inputs) evaluates out = f(inputs), reduces it to a scalar L = sum(w * out)
// with fixed random weights w (so a permuted gradient cannot pass), back-propagates, and
// compares dL/dx for every input with central differences
//   (L(x + eps) - L(x - eps)) / (2 eps),
// evaluated in float and accumulated in double. An entry passes when
//   |analytic - numeric| <= atol + rtol * |numeric|.
// At most `max_entries_per_input` entries per input are probed (chosen by a fixed stride)
// to bound the cost on large tensors. Inputs are perturbed in place and restored.
//
//   auto r = sslflow::testing::gradcheck(
//       [](const std::vector<Var>& in) { return sslflow::gelu(in[0]); }, {x});
//   REQUIRE(r.ok);   // r.report says which entry failed, and by how much
#pragma once

#include <cmath>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "sslflow/autograd.hpp"
#include "sslflow/random.hpp"

namespace sslflow::testing {

struct GradcheckOptions {
  double eps = 1e-2;
  double atol = 2e-3;
  double rtol = 2e-2;
  int64_t max_entries_per_input = 64;
  uint64_t seed = 7;
};

struct GradcheckResult {
  bool ok = true;
  double max_abs_error = 0.0;
  int64_t entries_checked = 0;
  std::string report;  // the failures, one per line, or empty
};

inline GradcheckResult gradcheck(const std::function<Var(const std::vector<Var>&)>& f, std::vector<Var> inputs,
                                 const GradcheckOptions& options = {}) {
  GradcheckResult result;
  Tensor weights;
  auto objective = [&](const std::vector<Var>& in) -> double {
    NoGrad no_grad;
    Tensor out = f(in).value();
    double total = 0.0;
    for (int64_t i = 0; i < out.numel(); ++i) total += double(weights.data()[i]) * out.data()[i];
    return total;
  };

  for (Var& v : inputs) v.zero_grad();
  Var out = f(inputs);
  weights = Tensor(out.shape());
  Rng rng(options.seed, "gradcheck");
  for (float& w : weights.values()) w = rng.uniform(0.5f, 1.5f) * (rng.bernoulli(0.5f) ? 1.0f : -1.0f);
  out.backward(weights);

  std::ostringstream report;
  for (size_t k = 0; k < inputs.size(); ++k) {
    Var& v = inputs[k];
    if (!v.requires_grad()) continue;
    Tensor analytic = v.grad();
    float* x = v.value().data();
    const int64_t n = v.value().numel();
    const int64_t stride = std::max<int64_t>(1, n / options.max_entries_per_input);
    for (int64_t i = 0; i < n; i += stride) {
      const float saved = x[i];
      x[i] = saved + static_cast<float>(options.eps);
      const double plus = objective(inputs);
      x[i] = saved - static_cast<float>(options.eps);
      const double minus = objective(inputs);
      x[i] = saved;
      const double numeric = (plus - minus) / (2.0 * options.eps);
      const double got = analytic.defined() ? analytic.data()[i] : 0.0;
      const double error = std::abs(got - numeric);
      result.max_abs_error = std::max(result.max_abs_error, error);
      ++result.entries_checked;
      if (error > options.atol + options.rtol * std::abs(numeric)) {
        result.ok = false;
        report << "input " << k << " entry " << i << ": analytic " << got << ", numeric " << numeric << "\n";
      }
    }
  }
  result.report = report.str();
  return result;
}

}  // namespace sslflow::testing
