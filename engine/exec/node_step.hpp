// Runs one application of one model node (encoder, teacher or method) for a step: reads
// its inputs from StepValues, calls the plugin, writes its outputs. A teacher runs under
// NoGrad; an encoder application runs inside an nn::ApplicationScope so that state it
// updates outside the gradient changes as if applications ran in order.
#pragma once

#include <string>

#include "exec/nodes.hpp"
#include "exec/step_values.hpp"
#include "sslflow/metrics.hpp"

namespace sslflow::engine {

// Declares the keys every model node writes (all applications, all ports).
void declare_outputs(const LiveNodes& nodes, StepValues& values);

// Runs node `i`, application `application`; a method's loss and metrics go to `result`.
void run_node(LiveNodes& nodes, size_t i, int application, StepValues& values, StepOutput* result);

// The first non-finite value among what run_node() wrote for node `i`, application
// `application` (its output ports, or a method's loss in `result`), described as "output
// 'out' is not finite (nan at index 3)"; empty when every value is finite. One pass over
// every output.
std::string nonfinite_output(const LiveNodes& nodes, size_t i, int application, const StepValues& values,
                             const StepOutput* result);

}  // namespace sslflow::engine
