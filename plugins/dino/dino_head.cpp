#include "dino_head.hpp"

#include "sslflow/init.hpp"
#include "sslflow/nn/linear.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::dino {

namespace {

Var normalize(const Var& x) { return l2_normalize(x, -1); }

// DINOHead._init_weights: trunc_normal_(weight, std=.02), bias 0.
std::shared_ptr<nn::Linear> dino_linear(int64_t in, int64_t out, Rng& rng) {
  auto layer = std::make_shared<nn::Linear>(in, out, rng);
  Tensor weight = layer->weight.value();
  init::normal(weight, rng, 0.02);
  layer->bias.value().fill(0.0f);
  return layer;
}

}  // namespace

DinoHead::DinoHead(const DinoHeadLayout& layout, Rng& rng) : mlp_(std::make_shared<nn::Sequential>()) {
  int64_t width = layout.in_dim;
  for (int64_t layer = 1; layer < layout.layers; ++layer) {
    mlp_->add(dino_linear(width, layout.hidden_dim, rng));
    mlp_->add([](const Var& x) { return gelu(x); });
    width = layout.hidden_dim;
  }
  mlp_->add(dino_linear(width, layout.bottleneck_dim, rng));
  add(mlp_);
  add(normalize);
  last_layer_ =
      add(std::make_shared<WeightNormLinear>(layout.bottleneck_dim, layout.out_dim, layout.norm_last_layer, rng));
}

DinoHead::Output DinoHead::forward_parts(const Var& x) {
  const Var bottleneck = mlp_->forward(x);
  return {bottleneck, last_layer_->forward(normalize(bottleneck))};
}

}  // namespace sslflow::dino
