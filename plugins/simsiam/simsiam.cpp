#include "simsiam.hpp"

#include <string>

#include "sslflow/collapse_metrics.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"
#include "sslflow/two_views.hpp"

namespace sslflow::simsiam {

namespace {

constexpr const char* kName = "simsiam";

}  // namespace

Schema SimSiam::schema() {
  return {
      Option::plugin("loss", Loss::kKind, "negative_cosine",
                     "D(p, sg(z)), applied to both views and averaged; negative cosine as the paper"),
      Option("proj_hidden", 2048, "width of the projector's hidden layers; 2048 as the paper").min(1),
      Option("proj_dim", 2048, "width of the projection z (and of the prediction p); 2048 as the paper").min(1),
      Option("proj_layers", 3, "Linear layers in the projector; 3 as the paper on ImageNet (2 on CIFAR)")
          .range(1, 16),
      Option("proj_bn", true, "batch norm after every projector layer (no affine on the output); on as the paper"),
      Option("pred_dim", 512, "width of the predictor's bottleneck; 512 as the paper").min(1),
      Option("pred_bn", true,
             "batch norm after the predictor's hidden layer, as facebookresearch/simsiam's builder.py; off: "
             "W2 ReLU(W1 z + b1) + b2 as oxicuda-ssl's SimSiam (with normalize_outputs, its L2 output)"),
      Option("identity_predictor", false,
             "replace the predictor by the fixed exact identity [ReLU(p), ReLU(-p)] -> p+ - p-; "
             "needs pred_dim = 2 * proj_dim; off as the paper"),
      Option("normalize_outputs", false, "L2-normalise z and p before the loss; off as the paper"),
      Option("init", "pytorch",
             "initialisation of the heads' Linear layers: pytorch (nn.Linear's default, as the paper's code) "
             "or kaiming (He normal, fan_in, zero bias)")
          .one_of({"pytorch", "kaiming"}),
  };
}

Signature SimSiam::signature() { return {{two_views::port()}, {}}; }

void SimSiam::check(const Params& params) {
  const auto proj_dim = params.get<int64_t>("proj_dim"), pred_dim = params.get<int64_t>("pred_dim");
  if (params.get<bool>("identity_predictor") && pred_dim != 2 * proj_dim)
    throw OptionError("identity_predictor needs pred_dim = 2 * proj_dim = " + std::to_string(2 * proj_dim) +
                      ", got pred_dim " + std::to_string(pred_dim) + " with proj_dim " + std::to_string(proj_dim));
}

SimSiam::SimSiam(const Params& params)
    : loss_(params.plugin<Loss>("loss")),
      proj_hidden_(params.get<int64_t>("proj_hidden")),
      proj_dim_(params.get<int64_t>("proj_dim")),
      proj_layers_(params.get<int64_t>("proj_layers")),
      proj_bn_(params.get<bool>("proj_bn")),
      pred_dim_(params.get<int64_t>("pred_dim")),
      pred_bn_(params.get<bool>("pred_bn")),
      identity_predictor_(params.get<bool>("identity_predictor")),
      normalize_outputs_(params.get<bool>("normalize_outputs")),
      init_(params.get<std::string>("init") == "kaiming" ? nn::HeadInit::Kaiming : nn::HeadInit::PyTorch) {}

void SimSiam::setup(const InputShapes& shapes, const NodeSetup& context) {
  feature_dim_ = two_views::features(kName, shapes);

  Rng rng = context.init_rng();
  const auto projector =
      nn::MlpLayout::uniform(feature_dim_, proj_hidden_, proj_dim_, proj_layers_, proj_bn_, proj_bn_);
  projector_ = register_module("projector", std::make_shared<nn::Mlp>(projector, init_, rng));
  if (identity_predictor_) {
    identity_ = register_module("predictor", std::make_shared<IdentityPredictor>(proj_dim_));
  } else {
    const nn::MlpLayout predictor{{proj_dim_, pred_dim_, proj_dim_}, pred_bn_, false};
    predictor_ = register_module("predictor", std::make_shared<nn::Mlp>(predictor, init_, rng));
  }
}

Var SimSiam::project(const Var& x) {
  Var z = projector_->forward(x);
  return normalize_outputs_ ? l2_normalize(z) : z;
}

Var SimSiam::predict(const Var& z) {
  Var p = identity_ ? identity_->forward(z) : predictor_->forward(z);
  return normalize_outputs_ ? l2_normalize(p) : p;
}

StepOutput SimSiam::forward(const MethodInputs& inputs) {
  const two_views::Views views = two_views::read(kName, inputs, feature_dim_);
  Var z1 = project(views.first);   // (B, proj_dim)
  Var z2 = project(views.second);  // (B, proj_dim)
  Var p1 = predict(z1);            // (B, proj_dim)
  Var p2 = predict(z2);            // (B, proj_dim)
  const Loss& distance = *loss_;
  Var loss = mul(add(distance(p1, z2.detach()), distance(p2, z1.detach())), 0.5f);
  return {loss, collapse_metrics(z1.value())};
}

}  // namespace sslflow::simsiam
