// Gradient buffers for op wrappers whose inputs may be undefined (an absent bias) or may
// not need a gradient: a zeroed buffer per input that needs one, passed to a backward
// kernel as a pointer or null (backward kernels skip null).
#pragma once

#include <cstddef>
#include <span>
#include <utility>

#include "sslflow/autograd.hpp"

namespace sslflow::detail {

inline bool needs_grad(const Var& v) { return v.defined() && v.requires_grad(); }

// A zeroed gradient of v's shape when v needs a gradient; undefined otherwise.
inline Tensor grad_buffer(const Var& v) { return needs_grad(v) ? Tensor(v.shape()) : Tensor(); }

// The same, left uninitialised, for a kernel that writes every element rather than adding.
inline Tensor written_grad_buffer(const Var& v) {
  return needs_grad(v) ? Tensor::uninitialized(v.shape()) : Tensor();
}

inline float* data_or_null(Tensor& t) { return t.defined() ? t.data() : nullptr; }
inline const float* data_or_null(const Var& v) { return v.defined() ? v.value().data() : nullptr; }

inline void accumulate_if_defined(const Var& input, Tensor&& grad) {
  if (grad.defined()) input.accumulate_grad(std::move(grad));
}

// Hands each defined buffer to its input: grads[i] goes to inputs[i].
template <size_t N>
void accumulate_grads(std::span<Var> inputs, Tensor (&grads)[N]) {
  for (size_t i = 0; i < N; ++i) accumulate_if_defined(inputs[i], std::move(grads[i]));
}

}  // namespace sslflow::detail
