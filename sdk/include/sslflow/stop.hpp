// Stop requests: how a long computation inside a plugin learns that the run is asked to
// end, so that it ends promptly.
//
// The engine sets the process's stop request when a signal asks a run to end (Ctrl-C,
// SIGTERM, SIGHUP), and then ends the run at its next stopping point. Code that can run for
// long between such points (an evaluator's loop, a dataset reading or decoding its files)
// calls check_stop() where ending is safe, between chunks, iterations or files; once a
// stop is requested it throws StopRequested, which the engine takes as the end of the run,
// never as a failure. check_stop() is one atomic load, cheap enough for every chunk; call
// it from the thread that called the plugin, not from inside a parallel loop's body.
#pragma once

#include <atomic>

#include "sslflow/error.hpp"
#include "sslflow/export.hpp"

namespace sslflow {

// Thrown by check_stop(); it carries no context, since it is no error.
class SSLFLOW_EXPORT StopRequested : public Error {
 public:
  StopRequested();
};

// The process's stop request: the engine stores true in it, everyone else reads it.
SSLFLOW_EXPORT std::atomic<bool>& stop_request();

// Throws StopRequested when a stop is requested.
SSLFLOW_EXPORT void check_stop();

}  // namespace sslflow
