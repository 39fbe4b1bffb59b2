#include "mocov3.hpp"

#include <numeric>
#include <vector>

#include "sslflow/ops.hpp"
#include "sslflow/two_views.hpp"

namespace sslflow::moco {

Var contrastive_loss(const Var& q, const Var& k, float temperature) {
  const Var logits = matmul(l2_normalize(q), transpose(l2_normalize(k), 0, 1)) / temperature;  // (N, N)
  std::vector<int64_t> labels(static_cast<size_t>(q.dim(0)));
  std::iota(labels.begin(), labels.end(), int64_t{0});
  return cross_entropy(logits, labels) * (2.0f * temperature);
}

Schema MocoV3::schema() {
  return {
      Option("temperature", 0.2,
             "softmax temperature T; 0.2 as the paper and the official ViT recipes (--moco-t=.2; main_moco.py's "
             "default 1.0 is its ResNet-50 recipe)")
          .positive(),
      Option("proj_hidden", 4096, "width of the projector's hidden layers; 4096 as the official --moco-mlp-dim").min(1),
      Option("proj_dim", 256, "width of the projection (and of the prediction); 256 as the official --moco-dim")
          .min(1),
      Option("proj_layers", 3,
             "Linear layers in the projector; 3 as the paper and MoCo_ViT (MoCo_ResNet builds 2)")
          .range(1, 16),
      Option("pred_hidden", 4096, "width of the predictor's hidden layer; 4096 as the official --moco-mlp-dim").min(1),
      Option::plugin("schedule", EmaScheduler::kKind, "cosine",
                     "momentum of the momentum projector, as the momentum encoder's teacher node; set "
                     "{plugin: cosine, start: 0.99}, the official m = 1 - (1 - m0) (cos(pi k / K) + 1) / 2 with "
                     "m0 0.99 for ResNet-50 (--moco-m, --moco-m-cos); a plugin-valued default takes the plugin's "
                     "own defaults, here cosine's 0.996 -> 1"),
  };
}

Signature MocoV3::signature() { return {{two_views::port(), online_target::target_port()}, {}}; }

MocoV3::MocoV3(const Params& params)
    // moco/builder.py, _build_mlp: every Linear(bias=False); the projector's last_bn.
    : OnlineTargetMethod("mocov3", params,
                         {.bias_before_norm = false, .output_bias = false, .projector_output_norm = true}),
      temperature_(static_cast<float>(params.get<double>("temperature"))) {}

Var MocoV3::loss(const Var& q1, const Var& q2, const Var& k1, const Var& k2) const {
  return contrastive_loss(q1, k2, temperature_) + contrastive_loss(q2, k1, temperature_);
}

}  // namespace sslflow::moco
