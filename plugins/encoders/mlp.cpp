#include <string>

#include "encoders.hpp"
#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"
#include "token_ops.hpp"

namespace sslflow::encoders {

Schema Mlp::schema() {
  return {
      Option::ints("hidden", {512, 512},
                   "flattened form: widths of the hidden layers; 784-512-512-256 is the shipped MNIST recipe")
          .range(1, 65536),
      Option("out_dim", 256, "flattened form: width of the output layer; 256 as the shipped MNIST recipe")
          .range(1, 65536),
      Option("batch_norm", true,
             "flattened form: BatchNorm1d after each hidden Linear, before the ReLU (SimCLR's projection MLP)"),
      Option("patch", 0,
             "side P of square patches for the per-token form; 0 (the default) flattens whole images; "
             "P must divide the image's height and width")
          .range(0, 1024),
      Option("layers", 2, "per-token form: number of ReLU(W token + b) layers; 2 as data2vec's token MLP")
          .range(1, 64),
      Option("dim", 64, "per-token form: width of every layer; 64 as data2vec's token MLP").range(1, 65536),
  };
}

Mlp::Mlp(const Params& params)
    : hidden_(params.get<std::vector<int64_t>>("hidden")),
      out_dim_(params.get<int64_t>("out_dim")),
      batch_norm_(params.get<bool>("batch_norm")),
      patch_(params.get<int64_t>("patch")),
      layers_(params.get<int64_t>("layers")),
      dim_(params.get<int64_t>("dim")) {}

void Mlp::setup(const Shape& sample_shape, const NodeSetup& context) {
  sample_shape_ = sample_shape;
  Rng rng = context.init_rng();
  auto layers = register_module("layers", std::make_shared<Module>());
  auto add_layer = [&](int64_t in, int64_t out) {
    auto layer = layers->register_module(std::to_string(fcs_.size()), std::make_shared<Module>());
    fcs_.push_back(layer->register_module("fc", std::make_shared<nn::Linear>(in, out, rng)));
    return layer;
  };
  if (patch_ == 0) {
    int64_t width = sample_shape.numel();
    for (int64_t h : hidden_) {
      auto layer = add_layer(width, h);
      if (batch_norm_) norms_.push_back(layer->register_module("bn", std::make_shared<nn::BatchNorm>(h)));
      width = h;
    }
    add_layer(width, out_dim_);
    return;
  }
  grid_ = patch_grid("mlp", sample_shape, patch_);
  Tensor token(Shape{1, 1, grid_.values()});
  init_mask_token(token, rng);
  mask_token_ = register_parameter("mask_token", token);
  int64_t width = grid_.values();
  for (int64_t i = 0; i < layers_; ++i) {
    add_layer(width, dim_);
    init::kaiming_normal(fcs_.back()->weight.value(), rng);
    fcs_.back()->bias.value().fill(0.0f);
    width = dim_;
  }
}

Encoder::Output Mlp::forward(const Var& x, const Tensor& mask) {
  check_images("mlp", x, sample_shape_);
  if (patch_ > 0) return forward_tokens(x, mask);
  if (mask.defined()) throw ShapeError("mlp: a mask needs tokens; set `patch` for the per-token form");
  return forward_flat(x);
}

Encoder::Output Mlp::forward_flat(const Var& x) {
  Var h = reshape(x, Shape{x.dim(0), sample_shape_.numel()});  // (B, C*H*W)
  for (size_t i = 0; i + 1 < fcs_.size(); ++i) {
    h = fcs_[i]->forward(h);
    h = batch_norm_ ? norms_[i]->forward_relu(h) : relu(h);
  }
  return {fcs_.back()->forward(h), {}, {}};  // (B, out_dim)
}

Encoder::Output Mlp::forward_tokens(const Var& x, const Tensor& mask) const {
  Var h = patchify(x, grid_);  // (B, T, C*P*P)
  if (mask.defined()) {
    check_mask("mlp", mask, x.dim(0), grid_.tokens());
    h = replace_masked(h, mask, mask_token_);
  }
  std::vector<Var> blocks;
  for (const auto& fc : fcs_) {
    h = relu(fc->forward(h));  // (B, T, dim)
    blocks.push_back(h);
  }
  return {mean(h, 1), h, std::move(blocks)};
}

int64_t Mlp::feature_dim() const { return patch_ > 0 ? dim_ : out_dim_; }

}  // namespace sslflow::encoders
