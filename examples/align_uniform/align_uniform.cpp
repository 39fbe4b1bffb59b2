#include "align_uniform.hpp"

#include <cmath>
#include <limits>
#include <utility>

namespace align_uniform {

using namespace sslflow;

namespace {

constexpr const char* kName = "align_uniform";

}  // namespace

Var align_loss(const Var& z1, const Var& z2) { return mean(sum(square(z1 - z2), 1)); }

Var uniform_loss(const Var& z, float t) {
  const int64_t b = z.dim(0);
  if (b < 2) throw ShapeError(std::string(kName) + ": uniformity needs a batch of at least 2, got " + z.shape().str());
  const Var squared_distance = 2.0f - 2.0f * matmul(z, transpose(z, 0, 1));  // (B, B)
  const Var off_diagonal = where(eye(b), Var(Tensor::full(Shape{b, b}, -std::numeric_limits<float>::infinity())),
                                 -t * squared_distance);
  return logsumexp(reshape(off_diagonal, Shape{b * b}), 0) - std::log(float(b * (b - 1)));
}

Schema AlignUniform::schema() {
  return {
      Option("proj_hidden", 512, "width of the projection head's hidden layer").min(1),
      Option("proj_dim", 128, "width of the projection z; 128 as the paper's STL-10 encoders").min(1),
      Option("t", 2.0, "the uniformity kernel's scale t; 2 as the paper").positive(),
      Option("weight", 1.0, "the uniformity term's weight against alignment; 1 as the paper's README").min(0.0),
  };
}

Signature AlignUniform::signature() { return {{two_views::port()}, {}}; }

AlignUniform::AlignUniform(const Params& params)
    : proj_hidden_(params.get<int64_t>("proj_hidden")),
      proj_dim_(params.get<int64_t>("proj_dim")),
      t_(params.get<float>("t")),
      weight_(params.get<float>("weight")) {}

void AlignUniform::setup(const InputShapes& shapes, const NodeSetup& context) {
  feature_dim_ = two_views::features(kName, shapes);
  Rng rng = context.init_rng();
  const auto layout = nn::MlpLayout::uniform(feature_dim_, proj_hidden_, proj_dim_, 2, /*hidden_norm=*/true,
                                             /*output_norm=*/false);
  projector_ = register_module("projector", std::make_shared<nn::Mlp>(layout, nn::HeadInit::PyTorch, rng));
}

StepOutput AlignUniform::forward(const MethodInputs& inputs) {
  const two_views::Views views = two_views::read(kName, inputs, feature_dim_);
  const Var z1 = l2_normalize(projector_->forward(views.first));   // (B, proj_dim)
  const Var z2 = l2_normalize(projector_->forward(views.second));  // (B, proj_dim)
  const Var align = align_loss(z1, z2);
  const Var uniform = 0.5f * (uniform_loss(z1, t_) + uniform_loss(z2, t_));
  Metrics metrics = collapse_metrics(z1.value());
  metrics.emplace(metrics.begin(), "uniform", uniform.value().item());
  metrics.emplace(metrics.begin(), "align", align.value().item());
  return {align + weight_ * uniform, std::move(metrics)};
}

}  // namespace align_uniform
