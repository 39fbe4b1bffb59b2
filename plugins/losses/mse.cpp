#include "checks.hpp"
#include "losses.hpp"

namespace sslflow::losses {

Schema Mse::schema() { return {reduction_option()}; }

Mse::Mse(const Params& params) : reduction_(read_reduction(params)) {}

Var Mse::operator()(const Var& pred, const Var& target) const {
  expect_same_shape("mse", pred, target);
  return mse_loss(pred, target, reduction_);
}

}  // namespace sslflow::losses
