#include "barlow_twins.hpp"

#include <string>
#include <utility>

#include "cross_correlation.hpp"
#include "sslflow/collapse_metrics.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"
#include "sslflow/two_views.hpp"

namespace sslflow::barlow_twins {

namespace {

constexpr const char* kName = "barlow_twins";

}  // namespace

Schema BarlowTwins::schema() {
  return {
      Option("proj_hidden", 8192,
             "width of the projector's hidden layers; 8192 as the paper and main.py's --projector 8192-8192-8192")
          .min(1),
      Option("proj_dim", 8192, "width of the projection z; 8192 as the paper and main.py").min(1),
      Option("proj_layers", 3, "Linear layers in the projector; 3 as the paper and main.py").range(1, 16),
      Option("lambda", 0.0051,
             "weight of the off-diagonal (redundancy) term; 0.0051 as the paper and main.py's --lambd")
          .min(0.0),
  };
}

Signature BarlowTwins::signature() { return {{two_views::port()}, {}}; }

BarlowTwins::BarlowTwins(const Params& params)
    : proj_hidden_(params.get<int64_t>("proj_hidden")),
      proj_dim_(params.get<int64_t>("proj_dim")),
      proj_layers_(params.get<int64_t>("proj_layers")),
      lambda_(static_cast<float>(params.get<double>("lambda"))) {}

void BarlowTwins::setup(const InputShapes& shapes, const NodeSetup& context) {
  feature_dim_ = two_views::features(kName, shapes);
  Rng rng = context.init_rng();
  nn::MlpLayout projector = nn::MlpLayout::uniform(feature_dim_, proj_hidden_, proj_dim_, proj_layers_,
                                                   /*hidden_norm=*/true, /*output_norm=*/false);
  projector.output_bias = false;
  projector_ = register_module("projector", std::make_shared<nn::Mlp>(projector, nn::HeadInit::PyTorch, rng));
  bn_ = register_module("bn", std::make_shared<nn::BatchNorm>(proj_dim_, /*affine=*/false));
}

StepOutput BarlowTwins::forward(const MethodInputs& inputs) {
  const two_views::Views views = two_views::read(kName, inputs, feature_dim_);
  const int64_t batch = views.first.shape()[0];
  if (batch < 2)
    throw ShapeError(std::string(kName) + ": needs at least 2 samples per view for the batch norm, got a batch of " +
                     std::to_string(batch));
  Var z1 = projector_->forward(views.first);   // (B, proj_dim)
  Var z2 = projector_->forward(views.second);  // (B, proj_dim)
  // Named, in order: the norm's running statistics see view 1, then view 2, as main.py's.
  const Var n1 = bn_->forward(z1);  // (B, proj_dim)
  const Var n2 = bn_->forward(z2);  // (B, proj_dim)
  const Terms t = cross_correlation_terms(kName, n1, n2);
  Var loss = add(t.on_diagonal, mul(t.off_diagonal, lambda_));

  Metrics metrics{{"on_diagonal", t.on_diagonal.value().item()}, {"off_diagonal", t.off_diagonal.value().item()}};
  for (auto& entry : collapse_metrics(z1.value())) metrics.push_back(std::move(entry));
  return {loss, std::move(metrics)};
}

}  // namespace sslflow::barlow_twins
