// Single-precision GEMM on row-major matrices, the one place the sdk calls a BLAS: oneDNN's
// sgemm, whose JIT kernels use the widest vector unit of the machine (AVX-512 where
// present; Debian's OpenBLAS 0.3.21 runs its AVX2 kernels on AMD's AVX-512 cores).
//
// The BLAS runs single-threaded: oneTBB owns every worker thread, and large products are
// split into row blocks that run as TBB tasks, so nothing oversubscribes the cores.
#pragma once

#include <cstdint>

namespace sslflow::detail {

// C (M, N) = alpha * op(A) op(B) + beta * C, with op(A) (M, K) and op(B) (K, N).
// A is (M, K) or, when trans_a, (K, M); B is (K, N) or, when trans_b, (N, K).
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          const float* b, float beta, float* c);

}  // namespace sslflow::detail
