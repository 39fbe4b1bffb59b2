// Which application of a shared module the current thread is computing.
//
// When one encoder is applied to several inputs in the same step (two views, run
// concurrently), state it updates outside the gradient (batch-norm running statistics)
// must change as if the applications ran one after another in input order, whatever the
// scheduling. The engine marks each application with an ApplicationScope; such modules
// stage their update per application and apply them in order in Module::end_step().
// Outside any scope (a plain call), modules update immediately.
#pragma once

#include "sslflow/export.hpp"

namespace sslflow::nn {

// The index of the application running on this thread, or -1 outside any scope.
SSLFLOW_EXPORT int current_application();

class SSLFLOW_EXPORT ApplicationScope {
 public:
  explicit ApplicationScope(int index);
  ~ApplicationScope();
  ApplicationScope(const ApplicationScope&) = delete;
  ApplicationScope& operator=(const ApplicationScope&) = delete;

 private:
  int previous_;
};

}  // namespace sslflow::nn
