#include "checks.hpp"

#include <string>

#include "sslflow/error.hpp"

namespace sslflow::losses {

Option reduction_option() {
  return Option("reduction", "mean", "how the per-element losses become one scalar; mean as PyTorch's losses")
      .one_of({"mean", "sum"});
}

Reduction read_reduction(const Params& params) {
  return params.get<std::string>("reduction") == "sum" ? Reduction::Sum : Reduction::Mean;
}

void expect_same_shape(const char* name, const Var& pred, const Var& target) {
  if (!(pred.shape() == target.shape()))
    throw ShapeError(std::string("loss/") + name + ": pred " + pred.shape().str() + " and target " +
                     target.shape().str() + " differ");
}

}  // namespace sslflow::losses
