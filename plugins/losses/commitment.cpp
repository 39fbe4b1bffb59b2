#include "checks.hpp"
#include "losses.hpp"

namespace sslflow::losses {

Schema Commitment::schema() {
  return {Option("beta", 0.25, "weight of the commitment term; 0.25 as VQ-VAE (van den Oord et al. 2017)").min(0.0)};
}

Commitment::Commitment(const Params& params) : beta_(params.get<float>("beta")) {}

Var Commitment::operator()(const Var& pred, const Var& target) const {
  expect_same_shape("commitment", pred, target);
  return mul(mse_loss(pred, target, Reduction::Mean), beta_);
}

}  // namespace sslflow::losses
