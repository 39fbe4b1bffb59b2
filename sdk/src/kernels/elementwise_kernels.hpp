// Plain element-wise kernels shared by ops and autograd: contiguous float arrays of n.
#pragma once

#include <cstdint>

namespace sslflow::kernels {

// a[i] += b[i]
inline void add_inplace(float* a, const float* b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) a[i] += b[i];
}

// a[i] += s * b[i]
inline void axpy(float* a, float s, const float* b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) a[i] += s * b[i];
}

}  // namespace sslflow::kernels
