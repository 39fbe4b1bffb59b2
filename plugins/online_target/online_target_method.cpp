#include "online_target_method.hpp"

#include <utility>

#include "sslflow/collapse_metrics.hpp"
#include "sslflow/error.hpp"
#include "sslflow/two_views.hpp"

namespace sslflow::online_target {

namespace {

constexpr const char* kTarget = "target";

std::string target_count_error(const std::string& method, size_t count) {
  return method + ": input '" + kTarget + "' needs exactly two connections, the target encoder's features of " +
         "the two views (targets: [teacher.0, teacher.1]), got " + std::to_string(count);
}

}  // namespace

PortSpec target_port() {
  return {kTarget, PortType::Features,
          "the target encoder's features (B, F) of the two views, in the order of `input` (an EMA teacher node)",
          false, true, 2};
}

OnlineTargetMethod::OnlineTargetMethod(std::string name, const Params& params, HeadStyle style)
    : name_(std::move(name)),
      proj_hidden_(params.get<int64_t>("proj_hidden")),
      proj_dim_(params.get<int64_t>("proj_dim")),
      proj_layers_(params.get<int64_t>("proj_layers")),
      pred_hidden_(params.get<int64_t>("pred_hidden")),
      style_(style),
      schedule_(params.plugin<EmaScheduler>("schedule")),
      target_momentum_(schedule_->momentum(0, 1)) {}

void OnlineTargetMethod::setup(const InputShapes& shapes, const NodeSetup& context) {
  feature_dim_ = two_views::features(name_, shapes);
  if (shapes.count(kTarget) != 2) throw GraphError(target_count_error(name_, shapes.count(kTarget)));
  for (size_t view = 0; view < 2; ++view)
    if (!(shapes.get(kTarget, view) == shapes.get("input", view)))
      throw ShapeError(name_ + ": the target features of view " + std::to_string(view + 1) + " have shape " +
                       shapes.get(kTarget, view).str() + ", the online features " +
                       shapes.get("input", view).str() + "; the target encoder must mirror the online one");

  Rng rng = context.init_rng();
  auto projector = nn::MlpLayout::uniform(feature_dim_, proj_hidden_, proj_dim_, proj_layers_,
                                          /*hidden_norm=*/true, style_.projector_output_norm);
  nn::MlpLayout predictor{{proj_dim_, pred_hidden_, proj_dim_}, true, false};
  for (nn::MlpLayout* head : {&projector, &predictor}) {
    head->bias_before_norm = style_.bias_before_norm;
    head->output_bias = style_.output_bias;
  }
  projector_ = register_module("projector", std::make_shared<nn::Mlp>(projector, nn::HeadInit::PyTorch, rng));
  predictor_ = register_module("predictor", std::make_shared<nn::Mlp>(predictor, nn::HeadInit::PyTorch, rng));
  Rng overwritten(0, "unused");  // the copy's initial weights are replaced by the projector's
  target_projector_ = register_module(
      "target_projector",
      std::make_shared<EmaCopy>(std::make_shared<nn::Mlp>(projector, nn::HeadInit::PyTorch, overwritten), *projector_));
}

StepOutput OnlineTargetMethod::forward(const MethodInputs& inputs) {
  const two_views::Views online = two_views::read(name_, inputs, feature_dim_);
  if (inputs.count(kTarget) != 2) throw GraphError(target_count_error(name_, inputs.count(kTarget)));
  const Var& t1 = inputs.get(kTarget, 0).value();
  const Var& t2 = inputs.get(kTarget, 1).value();
  if (!(t1.shape() == online.first.shape()) || !(t2.shape() == online.second.shape()))
    throw ShapeError(name_ + ": expected target features of the online views' shape " +
                     online.first.shape().str() + ", got " + t1.shape().str() + " and " + t2.shape().str());

  const Var z1 = projector_->forward(online.first);   // (B, proj_dim)
  const Var z2 = projector_->forward(online.second);  // (B, proj_dim)
  const Var q1 = predictor_->forward(z1);             // (B, proj_dim)
  const Var q2 = predictor_->forward(z2);             // (B, proj_dim)
  const Var k1 = target_projector_->forward(t1);      // (B, proj_dim), no gradient
  const Var k2 = target_projector_->forward(t2);      // (B, proj_dim), no gradient
  Metrics metrics = collapse_metrics(z1.value());
  metrics.emplace_back("target_momentum", target_momentum_);
  return {loss(q1, q2, k1, k2), std::move(metrics)};
}

void OnlineTargetMethod::on_end_step(int64_t step, int64_t total_steps) {
  target_momentum_ = schedule_->momentum(step, total_steps);
  target_projector_->follow(*projector_, target_momentum_);
}

}  // namespace sslflow::online_target
