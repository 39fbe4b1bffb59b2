#include "app/signals.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>

#include "sslflow/error.hpp"
#include "sslflow/stop.hpp"

namespace sslflow {

namespace {

// What a first signal does: end the process, request a stop, or let the process finish the
// output of work already done.
enum class OnSignal { End, RequestStop, Finish };
std::atomic<OnSignal> on_signal{OnSignal::End};

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

void say(const std::string& line) {
  const std::string text = "\nsslflow: " + line + "\n";
  [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, text.data(), text.size());
}

// Ends the process by `signal`, with its default action, from this thread.
[[noreturn]] void end_by(int signal) {
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigaction(signal, &default_action, nullptr);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, signal);
  raise(signal);  // stays pending until unblocked below
  pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
  _exit(128 + signal);  // reached only if the default action does not end the process
}

void take_signals(sigset_t set) {
  for (;;) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0) continue;
    const OnSignal mode = on_signal.load();
    if (mode == OnSignal::End || stop_request().load()) {
      if (stop_request().load()) say(std::string(sigdescr_np(signal)) + " again: ending now");
      end_by(signal);
    }
    stop_request() = true;
    say(std::string(sigdescr_np(signal)) + (mode == OnSignal::RequestStop
                                                ? ": stopping at the next step (signal again to end at once)"
                                                : ": the runs have ended; finishing their output (signal again to end "
                                                  "at once)"));
  }
}

}  // namespace

void take_termination_signals() {
  const sigset_t set = termination_signals();
  if (const int e = pthread_sigmask(SIG_BLOCK, &set, nullptr); e != 0)
    throw Error(std::string("cannot block the termination signals: ") + std::strerror(e));
  std::thread(take_signals, set).detach();
}

StopOnSignal::StopOnSignal() {
  stop_request() = false;
  on_signal = OnSignal::RequestStop;
}

StopOnSignal::~StopOnSignal() { on_signal = OnSignal::Finish; }

const std::atomic<bool>& StopOnSignal::requested() const { return stop_request(); }

}  // namespace sslflow
