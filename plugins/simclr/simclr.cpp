#include "simclr.hpp"

#include <utility>

#include "contrastive_accuracy.hpp"
#include "sslflow/collapse_metrics.hpp"
#include "sslflow/two_views.hpp"

namespace sslflow::simclr {

namespace {

constexpr const char* kName = "simclr";

}  // namespace

Schema SimClr::schema() {
  return {
      Option::plugin("loss", Loss::kKind, "nt_xent",
                     "the contrastive loss of the two views' projections, loss(z1, z2); nt_xent as the paper"),
      Option("proj_hidden", 2048, "width of the projection head's hidden layers; 2048 as the paper").min(1),
      Option("proj_dim", 128, "width of the projection z; 128 as the paper").min(1),
      Option("proj_layers", 2, "Linear layers in the projection head; 2 as the paper (and solo-learn)").range(1, 16),
      Option("proj_bn", true,
             "batch norm after each hidden layer of the projection head; on as lightly's SimCLRProjectionHead "
             "and the paper's code (which normalises the output too)"),
  };
}

Signature SimClr::signature() { return {{two_views::port()}, {}}; }

SimClr::SimClr(const Params& params)
    : loss_(params.plugin<Loss>("loss")),
      proj_hidden_(params.get<int64_t>("proj_hidden")),
      proj_dim_(params.get<int64_t>("proj_dim")),
      proj_layers_(params.get<int64_t>("proj_layers")),
      proj_bn_(params.get<bool>("proj_bn")) {}

void SimClr::setup(const InputShapes& shapes, const NodeSetup& context) {
  feature_dim_ = two_views::features(kName, shapes);
  Rng rng = context.init_rng();
  const auto projector = nn::MlpLayout::uniform(feature_dim_, proj_hidden_, proj_dim_, proj_layers_, proj_bn_,
                                                /*output_norm=*/false);
  projector_ = register_module("projector", std::make_shared<nn::Mlp>(projector, nn::HeadInit::PyTorch, rng));
}

StepOutput SimClr::forward(const MethodInputs& inputs) {
  const two_views::Views views = two_views::read(kName, inputs, feature_dim_);
  Var z1 = projector_->forward(views.first);   // (B, proj_dim)
  Var z2 = projector_->forward(views.second);  // (B, proj_dim)
  Metrics metrics = collapse_metrics(z1.value());
  metrics.emplace(metrics.begin(), "contrastive_accuracy", contrastive_accuracy(z1.value(), z2.value()));
  return {(*loss_)(z1, z2), std::move(metrics)};
}

}  // namespace sslflow::simclr
