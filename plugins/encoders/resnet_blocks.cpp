#include "resnet_blocks.hpp"

#include <string>

#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::encoders {

int64_t block_expansion(ResidualBlockType type) { return type == ResidualBlockType::Bottleneck ? 4 : 1; }

std::shared_ptr<nn::Conv2d> resnet_conv(int64_t in_channels, int64_t out_channels, int kernel, int stride, Rng& rng) {
  auto conv = std::make_shared<nn::Conv2d>(in_channels, out_channels, kernel, stride, kernel / 2, rng, false);
  init::kaiming_normal(conv->weight.value(), rng, init::kReluGain, init::FanMode::Out);
  return conv;
}

ResidualBlock::ResidualBlock(ResidualBlockType type, int64_t in_channels, int64_t planes, int stride, Rng& rng) {
  struct ConvLayout {
    int64_t in, out;
    int kernel, stride;
  };
  const int64_t out_channels = planes * block_expansion(type);
  const std::vector<ConvLayout> layout =
      type == ResidualBlockType::Basic
          ? std::vector<ConvLayout>{{in_channels, planes, 3, stride}, {planes, planes, 3, 1}}
          : std::vector<ConvLayout>{
                {in_channels, planes, 1, 1}, {planes, planes, 3, stride}, {planes, out_channels, 1, 1}};
  for (const ConvLayout& c : layout) {
    const std::string index = std::to_string(convs_.size() + 1);
    convs_.push_back(register_module("conv" + index, resnet_conv(c.in, c.out, c.kernel, c.stride, rng)));
    norms_.push_back(register_module("bn" + index, std::make_shared<nn::BatchNorm>(c.out)));
  }
  if (stride != 1 || in_channels != out_channels) {
    downsample_ = register_module("downsample", std::make_shared<nn::Sequential>());
    downsample_->add(resnet_conv(in_channels, out_channels, 1, stride, rng));
    downsample_->add(std::make_shared<nn::BatchNorm>(out_channels));
  }
}

Var ResidualBlock::forward(const Var& x) {
  Var h = x;
  for (size_t i = 0; i + 1 < convs_.size(); ++i) h = norms_[i]->forward_relu(convs_[i]->forward(h));
  h = norms_.back()->forward(convs_.back()->forward(h));
  return relu(add(h, downsample_ ? downsample_->forward(x) : x));
}

void ResidualBlock::zero_init_last_norm() { norms_.back()->weight.value().fill(0.0f); }

}  // namespace sslflow::encoders
