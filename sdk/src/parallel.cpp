#include "parallel.hpp"

#include <algorithm>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

namespace sslflow::detail {

namespace {
// Chunks per worker thread: enough to balance uneven chunks, few enough to stay cheap.
constexpr int64_t kChunksPerThread = 4;
}  // namespace

Chunking chunking(int64_t n, int64_t grain) {
  if (n <= 0) return {1, 0};
  const int64_t threads = tbb::this_task_arena::max_concurrency();
  const int64_t target = std::max<int64_t>(1, threads * kChunksPerThread);
  const int64_t size = std::max<int64_t>({int64_t{1}, grain, (n + target - 1) / target});
  return {size, (n + size - 1) / size};
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
  if (n <= 0) return;
  const Chunking c = chunking(n, grain);
  if (c.count == 1) {
    body(0, n);
    return;
  }
  tbb::this_task_arena::isolate([&] {
    tbb::parallel_for(
        tbb::blocked_range<int64_t>(0, c.count, 1),
        [&](const tbb::blocked_range<int64_t>& r) {
          for (int64_t i = r.begin(); i < r.end(); ++i) body(i * c.size, std::min(n, (i + 1) * c.size));
        },
        tbb::simple_partitioner());
  });
}

}  // namespace sslflow::detail
