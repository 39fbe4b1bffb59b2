// The termination signals (SIGINT, SIGTERM, SIGHUP), taken on one thread of their own.
//
// take_termination_signals() blocks them in the calling thread; called first in main,
// before any thread starts, it leaves them blocked in every thread the process ever runs
// (oneTBB's and OpenMP's workers inherit the mask), so no signal interrupts a computation:
// asynchronous delivery into oneDNN's generated kernels corrupted the heap. A thread of
// its own takes them with sigwait.
//
// Before a StopOnSignal scope a signal ends the process at once, by the signal, as if it
// had never been blocked. Inside one, the first signal sets the stop request (the run ends
// cleanly at its next stopping point; it is the sdk's stop_request(), which plugins poll
// in long loops) and says so on stderr. After it, the work is done and its outcome known:
// the first signal is reported and the process finishes its output and exits with that
// outcome's status. In either, a second signal ends the process at once, by the signal
// (exit status 128 + its number in a shell).
#pragma once

#include <atomic>

namespace sslflow {

// Blocks the signals and starts the thread that takes them; call once, from main.
void take_termination_signals();

// While alive, signals request a stop instead of ending the process; once it is gone, they
// let the process finish its output.
class StopOnSignal {
 public:
  StopOnSignal();
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;
  // Set by the first signal.
  const std::atomic<bool>& requested() const;
};

}  // namespace sslflow
