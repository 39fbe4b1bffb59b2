#include "checks.hpp"
#include "losses.hpp"

namespace sslflow::losses {

Schema NegativeCosine::schema() {
  return {Option("eps", 1e-8, "lower bound on each vector's norm; 1e-8 as F.cosine_similarity").positive()};
}

NegativeCosine::NegativeCosine(const Params& params) : eps_(params.get<float>("eps")) {}

Var NegativeCosine::operator()(const Var& pred, const Var& target) const {
  expect_same_shape("negative_cosine", pred, target);
  if (pred.rank() < 1) throw ShapeError("loss/negative_cosine: needs vectors, got a scalar");
  return neg(mean(cosine_similarity(pred, target, -1, eps_)));
}

}  // namespace sslflow::losses
