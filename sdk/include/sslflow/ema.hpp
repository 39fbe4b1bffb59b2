// Exponential moving averages of modules: a teacher (a target network, a momentum encoder)
// that follows its student, teacher <- m * teacher + (1 - m) * student.
//
//   ema_update(teacher, student, m)   one update of every parameter and buffer, by name
//   EmaCopy                           a method's own EMA copy of one of its heads (BYOL's
//                                     target projector, MoCo v3's momentum projector),
//                                     following its parameters
//
// Threading: neither may run while the modules involved are read or written elsewhere;
// the engine updates its teachers, and a method its EmaCopy, between training steps.
#pragma once

#include <cstdint>
#include <memory>

#include "sslflow/autograd.hpp"
#include "sslflow/export.hpp"
#include "sslflow/module.hpp"
#include "sslflow/nn/sequential.hpp"

namespace sslflow {

// teacher <- m * teacher + (1 - m) * student, in place, for every parameter and buffer of
// `teacher`, paired with `student`'s by position in state_dict() order (running statistics
// average as the weights do, as stable-pretraining's TeacherStudentWrapper). `momentum` is
// m in [0, 1]: 1 keeps the teacher, 0 copies the student. The student is only read. Throws
// Error unless the two state dicts have the same names and shapes in the same order,
// naming the first tensor that differs.
SSLFLOW_EXPORT void ema_update(Module& teacher, const Module& student, double momentum);

// EmaCopy: a method's EMA copy of one of its heads, never trained by gradient.
//
// It takes `copy`, a head of `source`'s architecture, makes it an exact copy of `source`
// (load_state_dict) and stops every gradient into it: its parameters stop requiring one,
// and forward() runs under NoGrad. Registered on a method (register_module("target_projector",
// ...)), it shows the copy's parameters and buffers as buffers of the method, under the
// copy's own names ("target_projector.0.weight", "target_projector.1.running_mean"): they
// are saved and restored with the method's state, and the engine's optimizer, which
// trains parameters only, never sees them (Module: buffers are not trained).
//
// follow(source, m) moves the copy's parameters towards `source`'s, copy <- m * copy +
// (1 - m) * source: parameters only, as BYOL's target update (byol_experiment.py, the
// tree_map over target_params) and MoCo v3's (builder.py, _update_momentum_encoder over
// parameters()). Its buffers (batch-norm running statistics) are its own, updated by its
// forward in training mode, as theirs. Call it from the method's on_end_step(), after the
// engine's optimizer step. train()/eval() on the EmaCopy (through its method) reach the
// copy at its next forward(); in training mode its batch norms normalise by the batch, as
// the target networks of BYOL and MoCo v3 do.
class SSLFLOW_EXPORT EmaCopy final : public Module {
 public:
  // Throws Error when `copy` and `source` differ in tensor names or shapes.
  EmaCopy(std::shared_ptr<nn::Sequential> copy, const Module& source);

  // The copy applied to `x`, without gradient, in this module's train/eval mode.
  Var forward(const Var& x);
  // copy <- m * copy + (1 - m) * source, for the parameters. Throws Error when `source`'s
  // parameters differ from the copy's in names or shapes.
  void follow(const Module& source, double momentum);

 protected:
  // Applies the statistics the copy's batch norms staged during the step.
  void on_end_step(int64_t step, int64_t total_steps) override;

 private:
  std::shared_ptr<nn::Sequential> copy_;
};

}  // namespace sslflow
