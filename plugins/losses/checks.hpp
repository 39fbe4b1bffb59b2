// Shared by the shipped losses: the reduction option and the shape check.
#pragma once

#include "sslflow/autograd.hpp"
#include "sslflow/ops.hpp"
#include "sslflow/params.hpp"

namespace sslflow::losses {

// `reduction`: "mean" (the default, as PyTorch's losses) or "sum" over the elements.
Option reduction_option();
Reduction read_reduction(const Params& params);

// Throws ShapeError "loss/<name>: pred [..] and target [..] differ" unless the shapes match.
void expect_same_shape(const char* name, const Var& pred, const Var& target);

}  // namespace sslflow::losses
