// Module: a named tree of parameters, buffers and child modules (torch.nn.Module).
//
// Parameters are registered by name and reached with dotted PyTorch-style names
// ("blocks.0.attn.qkv.weight") in registration order; layouts follow PyTorch (linear
// [out, in], conv [out, in, kh, kw]), so a state dict written by sslflow loads into the
// equivalent PyTorch module with load_state_dict, and student/teacher EMA pairing,
// checkpoints and golden tests all key on these names.
//
// Parameters and buffers are shared handles: optimizers, EMA and load_state_dict update
// them in place, and every holder sees the change.
//
// Threading: forward passes of one module may run concurrently (two views through one
// encoder); changing the structure, train()/eval() or loading state may not.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sslflow/autograd.hpp"
#include "sslflow/export.hpp"

namespace sslflow {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class SSLFLOW_EXPORT Module {
 public:
  Module() = default;
  virtual ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // Registers a trainable parameter (requires_grad) and returns its handle.
  Var register_parameter(std::string name, Tensor value);
  // Registers a non-trainable state tensor (running statistics) and returns its handle.
  Tensor register_buffer(std::string name, Tensor value);
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> child) {
    add_child(std::move(name), child);
    return child;
  }

  std::vector<std::pair<std::string, Var>> named_parameters() const;
  std::vector<Var> parameters() const;
  NamedTensors named_buffers() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const { return children_; }

  // Parameters then buffers, by dotted name (PyTorch's state_dict order for simple modules).
  NamedTensors state_dict() const;
  // Copies values into this module's parameters and buffers. With `strict`, a missing or
  // unexpected name is an error; a shape mismatch always is. Errors name the tensor.
  void load_state_dict(const NamedTensors& state, bool strict = true);

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void zero_grad();
  int64_t parameter_count() const;
  // The before-step hook: the engine calls it once before each training step's forward,
  // with the step about to run and the run's total (a resumed run's first call carries the
  // step after its checkpoint's). It runs on_begin_step() in every child, then in this
  // module: a schedule that counts steps (DINO's teacher temperature, SwAV's prototype
  // freeze) reads the step here, and so resumes exactly without a counter in the state.
  void begin_step(int64_t step, int64_t total_steps);
  // The after-step hook: the engine calls it once after each training step, after the
  // optimizer step and the EMA updates, with the step just done and the run's total. It
  // runs on_end_step() in every child, then in this module: state staged during the step
  // (a batch norm's statistics, see nn/application.hpp) is applied below before a method's
  // own hook (a codebook's moving averages) sees it.
  void end_step(int64_t step, int64_t total_steps);

 protected:
  // For what depends on the step about to run; does nothing unless overridden.
  virtual void on_begin_step([[maybe_unused]] int64_t step, [[maybe_unused]] int64_t total_steps) {}
  // For state that is not learned by gradient; does nothing unless overridden.
  virtual void on_end_step([[maybe_unused]] int64_t step, [[maybe_unused]] int64_t total_steps) {}

 private:
  void add_child(std::string name, std::shared_ptr<Module> child);
  void check_new_name(const std::string& name) const;
  void collect(const std::string& prefix, std::vector<std::pair<std::string, Var>>* params,
               NamedTensors* buffers) const;

  std::vector<std::pair<std::string, Var>> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace sslflow
