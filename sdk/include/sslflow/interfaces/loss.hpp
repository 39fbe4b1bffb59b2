// Loss: a differentiable comparison of a prediction with a target (plugin kind "loss").
//
// Lifecycle: constructed once from its Params when the pipeline is built; then called for
// every training step by the method that owns it (a method takes its loss as a
// plugin-valued option, so a user can swap in another, or a third party's).
// Threading: operator() is const and may be called from several threads at once.
// Contract: returns a scalar Var (shape []) whose gradient flows into `pred` (and into
// `target` unless the caller detached it); shape mismatches throw ShapeError.
#pragma once

#include "sslflow/autograd.hpp"
#include "sslflow/plugin.hpp"

namespace sslflow {

class SSLFLOW_EXPORT Loss : public Plugin {
 public:
  static constexpr const char* kKind = "loss";
  ~Loss() override;
  virtual Var operator()(const Var& pred, const Var& target) const = 0;
};

}  // namespace sslflow
