#include <cmath>
#include <string>
#include <vector>

#include "checks.hpp"
#include "losses.hpp"

namespace sslflow::losses {

Schema CrossEntropy::schema() { return {reduction_option()}; }

CrossEntropy::CrossEntropy(const Params& params) : reduction_(read_reduction(params)) {}

Var CrossEntropy::operator()(const Var& pred, const Var& target) const {
  if (pred.rank() != 2 || target.rank() != 1 || target.dim(0) != pred.dim(0))
    throw ShapeError("loss/cross_entropy: needs logits (N, C) and class ids (N), got pred " + pred.shape().str() +
                     " and target " + target.shape().str());
  const int64_t classes = pred.dim(1);
  std::vector<int64_t> labels;  // (N)
  labels.reserve(static_cast<size_t>(target.dim(0)));
  for (float id : target.value().values()) {
    if (!(id >= 0.0f && id < static_cast<float>(classes)) || id != std::floor(id))
      throw Error("loss/cross_entropy: target " + std::to_string(id) + " is not a class id in [0, " +
                  std::to_string(classes) + ")");
    labels.push_back(static_cast<int64_t>(id));
  }
  return cross_entropy(pred, labels, reduction_);
}

}  // namespace sslflow::losses
