#include <array>
#include <string>

#include "encoders.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::encoders {

namespace {

constexpr const char* kResNet = "resnet";
constexpr int64_t kStages = 4;

struct Architecture {
  int64_t depth;
  ResidualBlockType block;
  std::array<int64_t, kStages> blocks;  // per stage, layer1..layer4
};

// torchvision's resnet18, resnet34 and resnet50.
constexpr std::array<Architecture, 3> kArchitectures{{
    {18, ResidualBlockType::Basic, {2, 2, 2, 2}},
    {34, ResidualBlockType::Basic, {3, 4, 6, 3}},
    {50, ResidualBlockType::Bottleneck, {3, 4, 6, 3}},
}};

const Architecture& architecture(int64_t depth) {
  for (const Architecture& a : kArchitectures)
    if (a.depth == depth) return a;
  throw OptionError(std::string(kResNet) + ": `depth` must be 18, 34 or 50 (torchvision's resnet18, resnet34, " +
                    "resnet50), got " + std::to_string(depth));
}

}  // namespace

Schema ResNet::schema() {
  return {
      Option("depth", 18, "18, 34 (basic blocks) or 50 (bottleneck blocks), as torchvision's resnet18/34/50; 18 as "
                          "solo-learn's and lightly's CIFAR recipes"),
      Option("stem", "imagenet", "imagenet: 7x7 convolution at stride 2 and a 3x3 max pool at stride 2 "
                                 "(torchvision); cifar: one 3x3 convolution at stride 1, padding 1, and no pool, for "
                                 "32x32 images (He et al.'s CIFAR networks, lightly's; solo-learn pads it by 2)")
          .one_of({"imagenet", "cifar"}),
      Option("width", 64, "channels of the stem and the first stage; stage i has width * 2^i, times 4 in "
                          "bottleneck outputs; 64 as torchvision (this is not its width_per_group, which widens "
                          "only the bottlenecks' inner convolutions)")
          .range(1, 4096),
      Option("zero_init_residual", false, "start each block's last batch-norm weight at 0, so that every block "
                                          "starts as its shortcut (torchvision's option; off by default there)"),
  };
}

Signature ResNet::signature() {
  return {{{"input", PortType::Image, "images to encode (several: one application each)", false, true}},
          {{"out", PortType::Features, "the last stage's global average pool, (B, 8 * width * expansion)"}}};
}

void ResNet::check(const Params& params) { architecture(params.get<int64_t>("depth")); }

ResNet::ResNet(const Params& params)
    : depth_(params.get<int64_t>("depth")),
      imagenet_stem_(params.get<std::string>("stem") == "imagenet"),
      width_(params.get<int64_t>("width")),
      zero_init_residual_(params.get<bool>("zero_init_residual")) {}

int64_t ResNet::feature_dim() const { return (width_ << (kStages - 1)) * block_expansion(architecture(depth_).block); }

void ResNet::setup(const Shape& sample_shape, const NodeSetup& context) {
  check_image_sample(kResNet, sample_shape);
  sample_shape_ = sample_shape;
  const Architecture& arch = architecture(depth_);
  Rng rng = context.init_rng();
  conv1_ = register_module("conv1", imagenet_stem_ ? resnet_conv(sample_shape[0], width_, 7, 2, rng)
                                                   : resnet_conv(sample_shape[0], width_, 3, 1, rng));
  bn1_ = register_module("bn1", std::make_shared<nn::BatchNorm>(width_));
  int64_t channels = width_;
  for (int64_t stage = 0; stage < kStages; ++stage) {
    auto layer = register_module("layer" + std::to_string(stage + 1), std::make_shared<Module>());
    const int64_t planes = width_ << stage;
    for (int64_t i = 0; i < arch.blocks[stage]; ++i) {
      const int stride = stage > 0 && i == 0 ? 2 : 1;
      auto block = std::make_shared<ResidualBlock>(arch.block, channels, planes, stride, rng);
      if (zero_init_residual_) block->zero_init_last_norm();
      blocks_.push_back(layer->register_module(std::to_string(i), block));
      channels = planes * block_expansion(arch.block);
    }
  }
}

Encoder::Output ResNet::forward(const Var& x, const Tensor& mask) {
  check_image_channels(kResNet, x, sample_shape_);
  if (mask.defined()) throw ShapeError("resnet: has no tokens to mask; connect no mask to it");
  Var h = bn1_->forward_relu(conv1_->forward(x));  // (B, width, H', W')
  if (imagenet_stem_) h = max_pool2d(h, 3, 2, 1);
  for (const auto& block : blocks_) h = block->forward(h);
  return {global_avg_pool2d(h), {}, {}};  // (B, 8 * width * expansion)
}

}  // namespace sslflow::encoders
