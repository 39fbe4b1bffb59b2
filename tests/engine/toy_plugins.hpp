// Small but real plugins of every node kind, registered straight into a Registry, so the
// engine tests exercise parsing, validation and execution without the shipped libraries.
#pragma once

#include "sslflow/registry.hpp"

namespace sslflow::testing {

// dataset/toy, transform/toy_noise, transform/toy_mask, encoder/toy_linear (NaN at a chosen step), encoder/toy_tokens,
// method/toy_align, method/toy_masked, method/toy_fail, optimizer/toy_sgd,
// ema_scheduler/toy_constant, evaluator/toy_mean, loss/toy_mse.
void register_toy_plugins(Registry& registry);

// evaluator/toy_mean's stop_on_call counts its calls over the process, so that a resumed
// run does not stop again at the same call; this starts the count over.
void reset_toy_evaluator_calls();

// A registry holding only the toy plugins, built on first use and shared afterwards.
const Registry& toy_registry();

}  // namespace sslflow::testing
