#include "blas.hpp"

#include <oneapi/dnnl/dnnl.h>
#include <omp.h>

#include <algorithm>
#include <string>

#include <tbb/task_arena.h>

#include "sslflow/error.hpp"
#include "parallel.hpp"

namespace sslflow::detail {

namespace {

// oneDNN threads its sgemm with OpenMP: Debian 12 ships oneDNN (libdnnl2) built only
// for the OpenMP runtime, with no sequential or oneTBB-runtime build, and we want oneTBB
// to be the one thread pool. OpenMP reads each calling thread's own thread count, so every
// thread that runs a product block (a oneTBB worker, or the thread that waits for them)
// sets its own to one before its first product. oneDNN then runs the sgemm on the calling
// thread and never starts an OpenMP team: no OpenMP thread exists, nothing is nested, and
// libgomp keeps only a small record of that setting per thread, freed when the thread
// exits. (OMP_NUM_THREADS=1 would do the same for every thread, but libgomp reads it at
// load time, from the user's environment, which a library cannot set.)
void single_threaded_blas() {
  thread_local const bool once = (omp_set_num_threads(1), true);
  (void)once;
}

// A block narrower than this wastes the BLAS's packing of the shared operand.
constexpr int64_t kMinBlock = 64;
constexpr int64_t kMinFlopsToSplit = int64_t{1} << 21;

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          const float* b, float beta, float* c) {
  if (m == 0 || n == 0) return;
  const int64_t lda = trans_a ? m : k;
  const int64_t ldb = trans_b ? k : n;
  // C[r0:r1, c0:c1] from rows r0:r1 of op(A) and columns c0:c1 of op(B).
  // Runs on whichever oneTBB thread takes the block.
  auto block = [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    single_threaded_blas();
    const float* a_rows = trans_a ? a + r0 : a + r0 * lda;
    const float* b_cols = trans_b ? b + c0 * ldb : b + c0;
    const dnnl_status_t status = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', r1 - r0, c1 - c0, k, alpha,
                                            a_rows, lda, b_cols, ldb, beta, c + r0 * n + c0, n);
    SSLFLOW_ASSERT(status == dnnl_success, "gemm: oneDNN sgemm failed with status " + std::to_string(status));
  };
  const int64_t threads = tbb::this_task_arena::max_concurrency();
  if (threads == 1 || m * n * k < kMinFlopsToSplit) {
    block(0, m, 0, n);
    return;
  }
  // One block per thread, so the shared operand is packed once per thread: split the
  // rows when there are enough of them, else the columns.
  if (m >= n || n < 2 * kMinBlock) {
    const int64_t rows = std::max(kMinBlock, (m + threads - 1) / threads);
    parallel_for(m, rows, [&](int64_t r0, int64_t r1) { block(r0, r1, 0, n); });
  } else {
    const int64_t cols = std::max(kMinBlock, (n + threads - 1) / threads);
    parallel_for(n, cols, [&](int64_t c0, int64_t c1) { block(0, m, c0, c1); });
  }
}

}  // namespace sslflow::detail
