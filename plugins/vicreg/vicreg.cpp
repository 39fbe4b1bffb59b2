#include "vicreg.hpp"

#include <string>
#include <utility>

#include "sslflow/collapse_metrics.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"
#include "sslflow/two_views.hpp"
#include "vicreg_terms.hpp"

namespace sslflow::vicreg {

namespace {

constexpr const char* kName = "vicreg";

}  // namespace

Schema VicReg::schema() {
  return {
      Option("proj_hidden", 8192,
             "width of the expander's hidden layers; 8192 as the paper and main_vicreg.py's --mlp 8192-8192-8192")
          .min(1),
      Option("proj_dim", 8192, "width of the embedding z; 8192 as the paper and main_vicreg.py").min(1),
      Option("proj_layers", 3, "Linear layers in the expander; 3 as the paper and main_vicreg.py").range(1, 16),
      Option("sim_coeff", 25.0, "weight of the invariance term (lambda); 25 as the paper and --sim-coeff").min(0.0),
      Option("std_coeff", 25.0, "weight of the variance term (mu); 25 as the paper and --std-coeff").min(0.0),
      Option("cov_coeff", 1.0, "weight of the covariance term (nu); 1 as the paper and --cov-coeff").min(0.0),
  };
}

Signature VicReg::signature() { return {{two_views::port()}, {}}; }

VicReg::VicReg(const Params& params)
    : proj_hidden_(params.get<int64_t>("proj_hidden")),
      proj_dim_(params.get<int64_t>("proj_dim")),
      proj_layers_(params.get<int64_t>("proj_layers")),
      sim_coeff_(static_cast<float>(params.get<double>("sim_coeff"))),
      std_coeff_(static_cast<float>(params.get<double>("std_coeff"))),
      cov_coeff_(static_cast<float>(params.get<double>("cov_coeff"))) {}

void VicReg::setup(const InputShapes& shapes, const NodeSetup& context) {
  feature_dim_ = two_views::features(kName, shapes);
  Rng rng = context.init_rng();
  nn::MlpLayout expander = nn::MlpLayout::uniform(feature_dim_, proj_hidden_, proj_dim_, proj_layers_,
                                                  /*hidden_norm=*/true, /*output_norm=*/false);
  expander.bias_before_norm = true;
  expander.output_bias = false;
  projector_ = register_module("projector", std::make_shared<nn::Mlp>(expander, nn::HeadInit::PyTorch, rng));
}

StepOutput VicReg::forward(const MethodInputs& inputs) {
  const two_views::Views views = two_views::read(kName, inputs, feature_dim_);
  const int64_t batch = views.first.shape()[0];
  if (batch < 2)
    throw ShapeError(std::string(kName) + ": needs at least 2 samples per view for the variance, got a batch of " +
                     std::to_string(batch));
  Var z1 = projector_->forward(views.first);   // (B, proj_dim)
  Var z2 = projector_->forward(views.second);  // (B, proj_dim)
  const Terms t = loss_terms(kName, z1, z2);
  Var loss = add(add(mul(t.invariance, sim_coeff_), mul(t.variance, std_coeff_)), mul(t.covariance, cov_coeff_));

  Metrics metrics{{"invariance", t.invariance.value().item()},
                  {"variance", t.variance.value().item()},
                  {"covariance", t.covariance.value().item()}};
  for (auto& entry : collapse_metrics(z1.value())) metrics.push_back(std::move(entry));
  return {loss, std::move(metrics)};
}

}  // namespace sslflow::vicreg
