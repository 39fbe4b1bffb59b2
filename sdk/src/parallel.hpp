// Data-parallel loops for kernels, run by oneTBB inside the caller's task arena.
//
// Each loop runs isolated (tbb::this_task_arena::isolate): a thread waiting for its
// chunks never picks up an unrelated task, so thread-local state such as a NoGrad guard
// cannot leak into work that belongs to another graph node.
#pragma once

#include <cstdint>
#include <functional>

namespace sslflow::detail {

// Calls body(begin, end) over disjoint chunks covering [0, n). `grain` is the smallest
// chunk worth a task; loops with n <= grain run inline on the calling thread.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body);

}  // namespace sslflow::detail
