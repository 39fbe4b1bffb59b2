#include "blas.hpp"

#include <cblas.h>

#include <mutex>

#include "parallel.hpp"

extern "C" void openblas_set_num_threads(int num_threads);

namespace sslflow::detail {

namespace {

void single_threaded_blas() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

// Rows of C per task: big enough that each sgemm call runs near its peak rate.
constexpr int64_t kRowsPerTask = 64;
constexpr int64_t kMinFlopsToSplit = int64_t{1} << 21;

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          const float* b, float beta, float* c) {
  if (m == 0 || n == 0) return;
  single_threaded_blas();
  const int64_t lda = trans_a ? m : k;
  const int64_t ldb = trans_b ? k : n;
  auto block = [&](int64_t r0, int64_t r1) {
    const float* a_rows = trans_a ? a + r0 : a + r0 * lda;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                static_cast<int>(r1 - r0), static_cast<int>(n), static_cast<int>(k), alpha, a_rows,
                static_cast<int>(lda), b, static_cast<int>(ldb), beta, c + r0 * n, static_cast<int>(n));
  };
  if (m * n * k < kMinFlopsToSplit) {
    block(0, m);
    return;
  }
  parallel_for(m, kRowsPerTask, block);
}

}  // namespace sslflow::detail
