// Context for errors raised inside plugins: where the pipeline declares a plugin or a
// node, and the rethrow that puts it in front of the plugin's own message.
//
// Every exception leaves a plugin's constructor, setup() or forward() as an Error whose
// message starts with the position of its declaration ("p.yaml:12:5: node 'backbone'
// (encoder/mlp) at step 3: ..."), whatever was thrown: a std::bad_alloc says that an
// allocation failed, and a throw of something that is not a std::exception says so.
#pragma once

#include <string>
#include <utility>

#include "graph/pipeline_graph.hpp"

namespace sslflow::engine {

// "p.yaml:12:5: encoder/mlp"; a plugin named on the command line has no position.
std::string plugin_context(const PluginSpec& plugin);

// "p.yaml:12:5: node 'backbone' (encoder/mlp)".
std::string node_context(const NodeSpec& node);

// The message of the exception in flight: what() of a std::exception, and for a
// std::bad_alloc or a throw of anything else, a sentence saying so.
std::string current_exception_message();

// Rethrows the exception in flight as an Error reading "<context>: <its message>"; a
// StopRequested (sslflow/stop.hpp) leaves as it is, since it is no error.
[[noreturn]] void rethrow_with_context(const std::string& context);

// Runs `action`; any exception it throws leaves through rethrow_with_context.
template <class Action>
decltype(auto) with_context(const std::string& context, Action&& action) {
  try {
    return std::forward<Action>(action)();
  } catch (...) {
    rethrow_with_context(context);
  }
}

}  // namespace sslflow::engine
