// Gradient buffers for op wrappers whose inputs may not all need a gradient: a zeroed
// buffer per input that needs one, passed to a backward kernel as a pointer or null.
#pragma once

#include <utility>

#include "sslflow/autograd.hpp"

namespace sslflow::detail {

// A zeroed gradient of the input's shape if it requires a gradient, else undefined.
inline Tensor grad_buffer(const Var& input) { return input.requires_grad() ? Tensor(input.shape()) : Tensor(); }

// The buffer's data, or null for an undefined buffer (backward kernels skip null).
inline float* data_or_null(Tensor& grad) { return grad.defined() ? grad.data() : nullptr; }

inline void accumulate_if_defined(const Var& input, Tensor&& grad) {
  if (grad.defined()) input.accumulate_grad(std::move(grad));
}

}  // namespace sslflow::detail
