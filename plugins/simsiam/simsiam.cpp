#include "simsiam.hpp"

#include <string>
#include <vector>

#include "collapse.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::simsiam {

namespace {

constexpr const char* kPort = "input";

std::string view_count_error(size_t count) {
  return "simsiam: input '" + std::string(kPort) + "' needs exactly two connections, one per view " +
         "(inputs: [backbone.0, backbone.1]), got " + std::to_string(count);
}

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

Signature SimSiam::signature() {
  return {{{kPort, PortType::Features, "the two views' features (B, F), in order", false, true}}, {}};
}

SimSiam::SimSiam(const Params& params)
    : loss_(params.plugin<Loss>("loss")),
      proj_hidden_(params.get<int64_t>("proj_hidden")),
      proj_dim_(params.get<int64_t>("proj_dim")),
      proj_layers_(params.get<int64_t>("proj_layers")),
      proj_bn_(params.get<bool>("proj_bn")),
      pred_dim_(params.get<int64_t>("pred_dim")),
      identity_predictor_(params.get<bool>("identity_predictor")),
      normalize_outputs_(params.get<bool>("normalize_outputs")),
      init_(params.get<std::string>("init") == "kaiming" ? HeadInit::Kaiming : HeadInit::PyTorch) {}

void SimSiam::setup(const InputShapes& shapes, const NodeSetup& context) {
  const std::vector<Shape>* views = nullptr;
  for (const auto& [port, port_shapes] : shapes)
    if (port == kPort) views = &port_shapes;
  if (!views || views->size() != 2) throw GraphError(view_count_error(views ? views->size() : 0));
  const Shape& first = views->at(0);
  if (first.rank() != 1 || !(views->at(1) == first))
    throw ShapeError("simsiam: the two views need features of one shape [F], got " + first.str() + " and " +
                     views->at(1).str());
  if (identity_predictor_ && pred_dim_ != 2 * proj_dim_)
    throw OptionError("simsiam: identity_predictor needs pred_dim = 2 * proj_dim = " + std::to_string(2 * proj_dim_) +
                      ", got pred_dim " + std::to_string(pred_dim_) + " with proj_dim " + std::to_string(proj_dim_));
  feature_dim_ = first[0];

  Rng rng = context.init_rng();
  MlpLayout projector{{feature_dim_}, proj_bn_, proj_bn_};
  for (int64_t i = 1; i < proj_layers_; ++i) projector.widths.push_back(proj_hidden_);
  projector.widths.push_back(proj_dim_);
  projector_ = register_module("projector", std::make_shared<Mlp>(projector, init_, rng));
  if (identity_predictor_)
    identity_ = register_module("predictor", std::make_shared<IdentityPredictor>(proj_dim_));
  else
    predictor_ = register_module(
        "predictor", std::make_shared<Mlp>(MlpLayout{{proj_dim_, pred_dim_, proj_dim_}, true, false}, init_, rng));
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
  if (inputs.count(kPort) != 2) throw GraphError(view_count_error(inputs.count(kPort)));
  const Var& x1 = inputs.get(kPort, 0).value();
  const Var& x2 = inputs.get(kPort, 1).value();
  if (x1.rank() != 2 || x1.dim(1) != feature_dim_ || !(x2.shape() == x1.shape()))
    throw ShapeError("simsiam: expected two views of features (B, " + std::to_string(feature_dim_) + "), got " +
                     x1.shape().str() + " and " + x2.shape().str());
  Var z1 = project(x1);  // (B, proj_dim)
  Var z2 = project(x2);  // (B, proj_dim)
  Var p1 = predict(z1);  // (B, proj_dim)
  Var p2 = predict(z2);  // (B, proj_dim)
  const Loss& distance = *loss_;
  Var loss = mul(add(distance(p1, z2.detach()), distance(p2, z1.detach())), 0.5f);
  return {loss, collapse_metrics(z1.value())};
}

}  // namespace sslflow::simsiam
