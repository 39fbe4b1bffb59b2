#include "byol.hpp"

#include "sslflow/ops.hpp"
#include "sslflow/two_views.hpp"

namespace sslflow::byol {

// byol/utils/helpers.py, regression_loss, averaged over the batch.
Var regression_loss(const Var& q, const Var& k) {
  return mean(sum(square(l2_normalize(q) - l2_normalize(k)), -1));
}

Schema Byol::schema() {
  return {
      Option("proj_hidden", 4096, "width of the projector's hidden layer; 4096 as the paper (Section 3.3)").min(1),
      Option("proj_dim", 256, "width of the projection (and of the prediction); 256 as the paper").min(1),
      Option("proj_layers", 2, "Linear layers in the projector; 2 as the paper (one hidden layer)").range(1, 16),
      Option("pred_hidden", 4096, "width of the predictor's hidden layer; 4096 as the paper").min(1),
      Option::plugin("schedule", EmaScheduler::kKind, "cosine",
                     "momentum of the target projector, as the target encoder's teacher node; cosine 0.996 -> 1 "
                     "(the cosine plugin's defaults), BYOL's tau = 1 - (1 - tau_base) (cos(pi k / K) + 1) / 2 "
                     "with tau_base 0.996"),
  };
}

Signature Byol::signature() { return {{two_views::port(), online_target::target_port()}, {}}; }

// byol/networks.py, MLP: Linear(with_bias=True), BatchNorm, ReLU, Linear(with_bias=False).
Byol::Byol(const Params& params)
    : OnlineTargetMethod("byol", params,
                         {.bias_before_norm = true, .output_bias = false, .projector_output_norm = false}) {}

Var Byol::loss(const Var& q1, const Var& q2, const Var& k1, const Var& k2) const {
  return regression_loss(q1, k2) + regression_loss(q2, k1);
}

}  // namespace sslflow::byol
