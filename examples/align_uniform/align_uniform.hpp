// method/align_uniform: alignment and uniformity on the hypersphere (Wang and Isola 2020,
// "Understanding Contrastive Representation Learning through Alignment and Uniformity on
// the Hypersphere"), an example of a two-view method written against the installed sdk.
//
// Two views' features x1, x2 (B, F) pass through one projection head (nn::Mlp) and are
// L2-normalised: z = normalize(g(x)). The loss pulls the two views of an image together
// and spreads the batch over the sphere:
//   align(z1, z2)  = mean_i ||z1_i - z2_i||^2                       (alpha = 2)
//   uniform(z)     = log mean_{i != j} exp(-t ||z_i - z_j||^2)      (t = 2)
//   loss           = align(z1, z2) + weight * (uniform(z1) + uniform(z2)) / 2
// as the paper's reference code (github.com/SsnL/align_uniform: align_loss, uniform_loss
// over torch.pdist, and the combined loss of its README), with its defaults t = 2 and
// weight 1. Nothing is detached.
//
// Metrics: `align` and `uniform` (the mean of both views'), and the collapse indicators
// of z1 (sslflow/collapse_metrics.hpp).
//
// Ports: `input`, the two views (sslflow/two_views.hpp).
#pragma once

#include <memory>

#include <sslflow/sdk.hpp>

namespace align_uniform {

// mean_i ||z1_i - z2_i||^2 of two batches (B, D).
sslflow::Var align_loss(const sslflow::Var& z1, const sslflow::Var& z2);
// log of the mean over pairs i != j of exp(-t ||z_i - z_j||^2), for unit rows z (B, D),
// B >= 2; ||z_i - z_j||^2 = 2 - 2 <z_i, z_j>.
sslflow::Var uniform_loss(const sslflow::Var& z, float t);

class AlignUniform final : public sslflow::Method {
 public:
  static sslflow::Schema schema();
  static sslflow::Signature signature();
  explicit AlignUniform(const sslflow::Params& params);

  void setup(const sslflow::InputShapes& shapes, const sslflow::NodeSetup& context) override;
  sslflow::StepOutput forward(const sslflow::MethodInputs& inputs) override;

 private:
  int64_t proj_hidden_;
  int64_t proj_dim_;
  float t_;
  float weight_;

  int64_t feature_dim_ = 0;
  std::shared_ptr<sslflow::nn::Mlp> projector_;
};

}  // namespace align_uniform
