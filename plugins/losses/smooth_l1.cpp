#include "checks.hpp"
#include "losses.hpp"

namespace sslflow::losses {

Schema SmoothL1::schema() {
  return {
      Option("beta", 1.0, "where the loss turns from quadratic to linear; 1.0 as PyTorch (data2vec: 2.0)").positive(),
      reduction_option(),
  };
}

SmoothL1::SmoothL1(const Params& params) : beta_(params.get<float>("beta")), reduction_(read_reduction(params)) {}

Var SmoothL1::operator()(const Var& pred, const Var& target) const {
  expect_same_shape("smooth_l1", pred, target);
  return smooth_l1_loss(pred, target, beta_, reduction_);
}

}  // namespace sslflow::losses
