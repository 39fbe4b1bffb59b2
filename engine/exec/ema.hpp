// The EMA update of a teacher: every parameter and buffer follows its student by name,
// teacher <- m * teacher + (1 - m) * student, in place.
#pragma once

#include "sslflow/module.hpp"

namespace sslflow::engine {

void ema_update(Module& teacher, const Module& student, double momentum);

}  // namespace sslflow::engine
