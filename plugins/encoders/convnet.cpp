#include <string>

#include "encoders.hpp"
#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::encoders {

Schema ConvNet::schema() {
  return {
      Option::ints("channels", {32, 64, 128}, "output channels of each stage; 32, 64, 128 as the shipped recipe")
          .range(1, 4096),
      Option::ints("strides", {1, 2, 2}, "stride of each stage's 3x3 convolution, one per channels entry; "
                                         "1, 2, 2 as the shipped recipe")
          .range(1, 8),
  };
}

Signature ConvNet::signature() {
  return {{{"input", PortType::Image, "images to encode (several: one application each)", false, true}},
          {{"out", PortType::Features, "the globally average-pooled last stage, (B, channels[-1])"}}};
}

ConvNet::ConvNet(const Params& params)
    : channels_(params.get<std::vector<int64_t>>("channels")), strides_(params.get<std::vector<int64_t>>("strides")) {
  if (channels_.empty() || channels_.size() != strides_.size())
    throw OptionError(params.owner() + ": `channels` has " + std::to_string(channels_.size()) +
                      " entries and `strides` " + std::to_string(strides_.size()) +
                      "; give one stride per stage, at least one stage");
}

void ConvNet::setup(const Shape& sample_shape, const NodeSetup& context) {
  check_image_sample("convnet", sample_shape);
  sample_shape_ = sample_shape;
  Rng rng = context.init_rng();
  auto stages = register_module("stages", std::make_shared<Module>());
  int64_t in = sample_shape[0];
  for (size_t i = 0; i < channels_.size(); ++i) {
    auto stage = stages->register_module(std::to_string(i), std::make_shared<Module>());
    auto conv = stage->register_module(
        "conv", std::make_shared<nn::Conv2d>(in, channels_[i], 3, static_cast<int>(strides_[i]), 1, rng, false));
    // torchvision's ResNet initialisation: kaiming_normal_(mode="fan_out", nonlinearity="relu").
    init::kaiming_normal(conv->weight.value(), rng, init::kReluGain, init::FanMode::Out);
    convs_.push_back(conv);
    norms_.push_back(stage->register_module("bn", std::make_shared<nn::BatchNorm>(channels_[i])));
    in = channels_[i];
  }
}

Encoder::Output ConvNet::forward(const Var& x, const Tensor& mask) {
  check_images("convnet", x, sample_shape_);
  if (mask.defined()) throw ShapeError("convnet: has no tokens to mask; connect no mask to it");
  Var h = x;  // (B, C, H, W)
  for (size_t i = 0; i < convs_.size(); ++i) h = relu(norms_[i]->forward(convs_[i]->forward(h)));
  return {global_avg_pool2d(h), {}, {}};  // (B, channels[-1])
}

}  // namespace sslflow::encoders
