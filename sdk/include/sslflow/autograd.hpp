// Reverse-mode automatic differentiation, define-by-run (flashlight's Variable).
//
// A Var is a cheap shared handle to a value, its gradient, and the op that produced it.
// Ops are free functions that compute a forward Tensor and record, through Var::from_op,
// the inputs and a backward closure. Var::backward() seeds the output gradient, orders
// the recorded graph by an iterative depth-first search (no recursion, so graph length is
// not bounded by the stack) and runs each closure once, consumers before producers. The
// tape is freed as it is consumed: backward runs once per graph.
//
// Stop-gradient is detach(). NoGrad is an RAII guard, per thread, under which ops record
// nothing (teachers, evaluation). Gradients accumulate (+=) into leaves until zero_grad().
//
// Debugging a non-finite gradient: ops record the label of the OpScope alive on their
// thread (the engine opens one per node it runs), and backward({.stop_at_nonfinite = true})
// scans what each op's backward produced and throws NonFiniteGradient naming the first op,
// and its scope, whose backward made a gradient that is not finite from finite inputs.
//
// Thread safety: graphs may be built from several threads at once, also from one shared
// parameter (an encoder applied to two views in parallel tasks); accumulate_grad() is
// serialised per Var, so parallel branches may accumulate into the same parameter.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sslflow/error.hpp"
#include "sslflow/export.hpp"
#include "sslflow/tensor.hpp"

namespace sslflow {

class Var;
namespace detail {
struct VarNode;
}

// The backward closure of one op: reads the output gradient and accumulates into the
// inputs that require a gradient (inputs[i].requires_grad()).
using BackwardFn = std::function<void(std::span<Var> inputs, const Tensor& grad_output)>;

struct BackwardOptions {
  // Scan every gradient as it is produced; throw NonFiniteGradient at the first one that
  // holds NaN or infinity. Costs one pass over each gradient: for debugging.
  bool stop_at_nonfinite = false;
};

// What backward({.stop_at_nonfinite = true}) throws: the op and scope whose backward made
// the first non-finite gradient, the input it was for, and where in it the value lies.
class SSLFLOW_EXPORT NonFiniteGradient : public Error {
 public:
  using Error::Error;
};

class SSLFLOW_EXPORT Var {
 public:
  Var() = default;
  explicit Var(Tensor value, bool requires_grad = false);

  // The result of op `op_name`: records `inputs` and `backward` when gradients are enabled
  // on this thread and some input requires a gradient; otherwise a plain constant.
  static Var from_op(const char* op_name, Tensor value, std::vector<Var> inputs, BackwardFn backward);

  bool defined() const { return node_ != nullptr; }
  const Tensor& value() const;
  // Mutable access for in-place updates of leaves (optimizers, EMA, initialisers).
  Tensor& value();
  const Shape& shape() const { return value().shape(); }
  int64_t dim(int i) const { return value().dim(i); }
  int rank() const { return value().rank(); }

  bool requires_grad() const;
  void set_requires_grad(bool on);  // leaves only
  bool is_leaf() const;
  const char* op_name() const;  // "leaf" for leaves

  Tensor grad() const;  // undefined until a gradient has arrived
  bool has_grad() const { return grad().defined(); }
  void zero_grad() const;
  // Adds g to the gradient (thread-safe). An rvalue g whose storage nobody else holds is
  // adopted without a copy.
  void accumulate_grad(const Tensor& g) const;
  void accumulate_grad(Tensor&& g) const;

  // The same value, cut off from the graph: no gradient flows through it.
  Var detach() const;

  void backward(BackwardOptions options = {}) const;  // for a one-element output: seeds 1
  void backward(const Tensor& grad_output, BackwardOptions options = {}) const;

  // Identity of the underlying node (two handles to one Var compare equal).
  const void* id() const { return node_.get(); }

 private:
  friend struct VarAccess;
  std::shared_ptr<detail::VarNode> node_;
};

// True unless a NoGrad guard is alive on this thread.
SSLFLOW_EXPORT bool grad_enabled();

// Labels the ops recorded on this thread while it is alive ("node 'projector'"); scopes
// nest, the innermost wins. The label only appears in NonFiniteGradient's message.
class SSLFLOW_EXPORT OpScope {
 public:
  explicit OpScope(std::string label);
  ~OpScope();
  OpScope(const OpScope&) = delete;
  OpScope& operator=(const OpScope&) = delete;

 private:
  std::shared_ptr<const std::string> previous_;
};

class SSLFLOW_EXPORT NoGrad {
 public:
  NoGrad();
  ~NoGrad();
  NoGrad(const NoGrad&) = delete;
  NoGrad& operator=(const NoGrad&) = delete;
};

}  // namespace sslflow
