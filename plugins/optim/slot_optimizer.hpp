// SlotOptimizer: the part every shipped optimizer shares. It holds the parameters by name,
// decides at setup() which of them get weight decay, keeps each parameter's state in named
// slots of the parameter's shape (or scalars), and saves and restores that state.
//
// Weight decay goes to parameters of rank 2 and above; rank-0 and rank-1 parameters
// (biases, normalisation weights and shifts, scalars) are left out unless the option
// `decay_bias_and_norm` is set, the parameter groups of MAE, data2vec and BYOL. The rule
// looks at ranks only, so it holds whatever the parameters are called.
//
// step(lr) updates every parameter that has a gradient and leaves the others, and their
// slots, exactly as they were (PyTorch skips parameters whose .grad is None). Parameters
// are updated in parallel, and large ones in parallel chunks; the update of each element
// reads only that element (and, for LARS, norms reduced in a fixed order), so the result
// does not depend on the number of threads.
//
// state() is a copy: "<parameter>.<slot>" for every parameter and slot, then "step", the
// number of step() calls as a float32 scalar (exact up to 2^24 steps). load_state() takes
// exactly those names and shapes and copies the values in, or throws before changing
// anything.
//
// Threading: one thread calls setup, step, state and load_state; step() runs tasks in the
// caller's oneTBB arena.
#pragma once

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_reduce.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sslflow/interfaces/optimizer.hpp"
#include "sslflow/params.hpp"

namespace sslflow::optim {

// The options every optimizer has: lr, weight_decay and decay_bias_and_norm, with the
// given defaults and the paper they come from.
Schema common_schema(double lr, const std::string& lr_doc, double weight_decay, const std::string& weight_decay_doc);

struct SlotSpec {
  std::string name;      // "momentum_buffer", "exp_avg", ...
  bool scalar = false;  // one value per parameter (a step count) instead of its shape
};

class SlotOptimizer : public Optimizer {
 public:
  void setup(const std::vector<std::pair<std::string, Var>>& parameters) final;
  double base_lr() const final { return lr_; }
  void step(double lr) final;
  NamedTensors state() const final;
  void load_state(const NamedTensors& state) final;

 protected:
  struct Parameter {
    std::string name;
    Var var;
    bool decay = false;          // weight decay (and LARS's trust ratio) applies
    std::vector<Tensor> slots;  // in the order of the SlotSpecs
  };

  SlotOptimizer(const Params& params, std::vector<SlotSpec> slots);

  // Updates one parameter from its gradient (of the parameter's shape) with learning rate
  // lr. Called concurrently for distinct parameters.
  virtual void update(Parameter& parameter, const Tensor& grad, double lr) const = 0;

  const std::string& owner() const { return owner_; }
  double weight_decay() const { return weight_decay_; }

 private:
  std::string owner_;  // "optimizer/sgd", for errors
  double lr_;
  double weight_decay_;
  bool decay_bias_and_norm_;
  std::vector<SlotSpec> slot_specs_;
  std::vector<Parameter> parameters_;
  int64_t steps_ = 0;
};

// Elements per task: a parameter smaller than this is updated on one thread.
inline constexpr int64_t kGrain = 16384;

// Calls body(begin, end) over chunks of [0, n) in parallel; for element-wise updates,
// whose result does not depend on how the range is cut.
template <class Body>
void for_each_chunk(int64_t n, const Body& body) {
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, kGrain),
                    [&](const tbb::blocked_range<int64_t>& r) { body(r.begin(), r.end()); });
}

// The Euclidean norm of element(0), ..., element(n - 1), summed in double. The simple
// partitioner cuts [0, n) into the same chunks on every run and the deterministic reduce
// joins them in the same order, so the bits do not depend on the thread count.
template <class Element>
double norm(int64_t n, const Element& element) {
  const double sum_of_squares = tbb::parallel_deterministic_reduce(
      tbb::blocked_range<int64_t>(0, n, kGrain), 0.0,
      [&](const tbb::blocked_range<int64_t>& r, double sum) {
        for (int64_t i = r.begin(); i < r.end(); ++i) {
          const double x = element(i);
          sum += x * x;
        }
        return sum;
      },
      [](double a, double b) { return a + b; }, tbb::simple_partitioner());
  return std::sqrt(sum_of_squares);
}

}  // namespace sslflow::optim
