// Data-parallel loops for kernels, run by oneTBB inside the caller's task arena.
//
// The range [0, n) is cut into chunks whose boundaries depend only on n, `grain` and the
// arena's concurrency, never on scheduling: a kernel that reduces per chunk and then
// combines the chunks in chunk order gives the same bits on every run with the same
// thread count.
//
// Each loop runs isolated (tbb::this_task_arena::isolate): a thread waiting for its
// chunks never picks up an unrelated task, so thread-local state such as a NoGrad guard
// cannot leak into work that belongs to another graph node.
#pragma once

#include <cstdint>
#include <functional>

namespace sslflow::detail {

// The chunks parallel_for would use for a loop of n with this grain: chunk i covers
// [i * size, min(n, (i + 1) * size)).
struct Chunking {
  int64_t size;
  int64_t count;
};
Chunking chunking(int64_t n, int64_t grain);

// Calls body(begin, end) once per chunk of chunking(n, grain). `grain` is the smallest
// chunk worth a task; loops with n <= grain run inline on the calling thread.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body);

}  // namespace sslflow::detail
