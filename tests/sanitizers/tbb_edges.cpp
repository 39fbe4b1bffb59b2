// What ThreadSanitizer sees of oneTBB, checked in the TSan build (tests/CMakeLists.txt):
//
//   tbb_edges synchronised   data handed between threads only through oneTBB (a spawn, a
//                            flow-graph edge, a wait), the way the engine hands tensors
//                            between nodes; TSan must stay silent
//   tbb_edges racing         tasks that update one counter with no synchronisation at
//                            all; TSan must report the race in this file
//
// Both run on four threads and fail (status 1) if the work did not spread over at least
// two of them, since then there would be nothing for TSan to judge.
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <tbb/flow_graph.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 50;
constexpr int kItems = 256;

// The threads that ran a task.
class ThreadLog {
 public:
  void note() {
    const std::lock_guard<std::mutex> lock(mutex_);
    ids_.insert(std::this_thread::get_id());
  }
  size_t count() const { return ids_.size(); }

 private:
  std::mutex mutex_;
  std::set<std::thread::id> ids_;
};

// Plain (non-atomic) data written by one thread and read by another, ordered by oneTBB alone.
long synchronised(ThreadLog& log) {
  long total = 0;
  std::vector<long> values(kItems);
  for (int round = 0; round < kRounds; ++round) {
    for (long& v : values) v = round;
    tbb::parallel_for(0, kItems, 1, [&](int i) { values[i] += i; log.note(); });

    tbb::flow::graph graph;
    long handed = 0;
    tbb::flow::continue_node<tbb::flow::continue_msg> first(graph, [&](const tbb::flow::continue_msg&) {
      handed = values[round % kItems];
      log.note();
    });
    tbb::flow::continue_node<tbb::flow::continue_msg> second(graph, [&](const tbb::flow::continue_msg&) {
      handed += 1;
      log.note();
    });
    tbb::flow::make_edge(first, second);
    first.try_put(tbb::flow::continue_msg());
    graph.wait_for_all();

    tbb::task_group group;
    long from_group = 0;
    group.run([&] { from_group = handed; log.note(); });
    group.wait();
    for (long v : values) total += v;
    total += from_group;
  }
  return total;
}

long racing(ThreadLog& log) {
  long counter = 0;
  for (int round = 0; round < kRounds; ++round) {
    tbb::parallel_for(0, kItems, 1, [&](int) { ++counter; log.note(); });
  }
  return counter;
}

}  // namespace

int main(int argc, char** argv) {
  const bool race = argc == 2 && std::strcmp(argv[1], "racing") == 0;
  if (argc != 2 || (!race && std::strcmp(argv[1], "synchronised") != 0)) {
    std::fprintf(stderr, "usage: tbb_edges synchronised|racing\n");
    return 2;
  }
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, kThreads);
  tbb::task_arena arena(kThreads);
  ThreadLog log;
  const long result = arena.execute([&] { return race ? racing(log) : synchronised(log); });
  std::printf("result %ld on %zu threads\n", result, log.count());
  return log.count() >= 2 ? 0 : 1;
}
