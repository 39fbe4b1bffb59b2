// Helpers for op wrappers whose kernels take optional (nullable) buffers: inputs that may
// be undefined (an absent bias) or need no gradient.
#pragma once

#include <cstddef>
#include <span>
#include <utility>

#include "sslflow/autograd.hpp"

namespace sslflow::ops_detail {

inline bool needs_grad(const Var& v) { return v.defined() && v.requires_grad(); }

// A zeroed gradient buffer of v's shape when v needs a gradient; undefined otherwise.
inline Tensor grad_buffer(const Var& v) { return needs_grad(v) ? Tensor(v.shape()) : Tensor(); }

inline float* data_or_null(Tensor& t) { return t.defined() ? t.data() : nullptr; }
inline const float* data_or_null(const Var& v) { return v.defined() ? v.value().data() : nullptr; }

// Hands each defined buffer to its input: grads[i] goes to inputs[i].
template <size_t N>
void accumulate_grads(std::span<Var> inputs, Tensor (&grads)[N]) {
  for (size_t i = 0; i < N; ++i)
    if (grads[i].defined()) inputs[i].accumulate_grad(std::move(grads[i]));
}

}  // namespace sslflow::ops_detail
