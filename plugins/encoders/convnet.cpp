#include <string>

#include "encoders.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::encoders {

Schema ConvNet::schema() {
  return {
      Option::ints("channels", {32, 64, 128}, "output channels of each stage; 32, 64, 128 as the shipped recipe")
          .range(1, 4096),
      Option::ints("strides", {1, 2, 2}, "stride of each stage's 3x3 convolution, one per channels entry; "
                                         "1, 2, 2 as the shipped recipe")
          .range(1, 8),
      Option("grid", 1, "the last stage is average-pooled to grid x grid cells and flattened; 1 is the global "
                        "average pool, more keeps where in the image a feature was seen")
          .range(1, 64),
  };
}

Signature ConvNet::signature() {
  return {{{"input", PortType::Image, "images to encode (several: one application each)", false, true}},
          {{"out", PortType::Features, "the last stage average-pooled to grid x grid cells, (B, channels[-1] * grid^2)"}}};
}

ConvNet::ConvNet(const Params& params)
    : channels_(params.get<std::vector<int64_t>>("channels")),
      strides_(params.get<std::vector<int64_t>>("strides")),
      grid_(params.get<int64_t>("grid")) {}

void ConvNet::check(const Params& params) {
  const size_t channels = params.get<std::vector<int64_t>>("channels").size();
  const size_t strides = params.get<std::vector<int64_t>>("strides").size();
  if (channels == 0 || channels != strides)
    throw OptionError("`channels` has " + std::to_string(channels) + " entries and `strides` " +
                      std::to_string(strides) + "; give one stride per stage, at least one stage");
}

void ConvNet::setup(const Shape& sample_shape, const NodeSetup& context) {
  check_image_sample("convnet", sample_shape);
  sample_shape_ = sample_shape;
  Rng rng = context.init_rng();
  auto stages = register_module("stages", std::make_shared<Module>());
  int64_t in = sample_shape[0];
  for (size_t i = 0; i < channels_.size(); ++i) {
    auto stage = stages->register_module(std::to_string(i), std::make_shared<Module>());
    // torchvision's ResNet initialisation: kaiming_normal_(mode="fan_out", nonlinearity="relu").
    convs_.push_back(
        stage->register_module("conv", resnet_conv(in, channels_[i], 3, static_cast<int>(strides_[i]), rng)));
    norms_.push_back(stage->register_module("bn", std::make_shared<nn::BatchNorm>(channels_[i])));
    in = channels_[i];
  }
  pool_ = grid_pooling(stage_side(sample_shape), grid_);
}

int64_t ConvNet::stage_side(const Shape& sample_shape) const {
  if (sample_shape[1] != sample_shape[2] && grid_ > 1)
    throw ShapeError("convnet: `grid` " + std::to_string(grid_) + " needs square images, got " +
                     std::to_string(sample_shape[1]) + "x" + std::to_string(sample_shape[2]));
  int64_t side = sample_shape[1];
  for (int64_t stride : strides_) side = (side - 1) / stride + 1;  // 3x3, padding 1
  return side;
}

namespace {

// Equal windows of ceil(side / grid), the first at 0 and the last ending at the border,
// overlapping when side is not a multiple of grid (7 -> 2: windows of 4 at stride 3, as
// PyTorch's adaptive_avg_pool2d); {0, 0} when no stride places them so.
struct Windows {
  int64_t kernel = 0, stride = 0;
};

Windows equal_windows(int64_t side, int64_t grid) {
  const int64_t kernel = (side + grid - 1) / grid;
  if (grid == 1) return {side, 1};
  if (grid > side || (side - kernel) % (grid - 1) != 0) return {};
  return {kernel, (side - kernel) / (grid - 1)};
}

}  // namespace

ConvNet::GridPooling ConvNet::grid_pooling(int64_t side, int64_t grid) {
  if (grid == 1) return {};
  const Windows windows = equal_windows(side, grid);
  if (windows.kernel == 0) {
    std::string fitting;
    for (int64_t g = 1; g <= side; ++g)
      if (equal_windows(side, g).kernel != 0) fitting += (fitting.empty() ? "" : ", ") + std::to_string(g);
    throw OptionError("convnet: `grid` " + std::to_string(grid) + " does not cut the last stage's " +
                      std::to_string(side) + "x" + std::to_string(side) + " map into equal windows; grids that do: " +
                      fitting);
  }
  return {static_cast<int>(windows.kernel), static_cast<int>(windows.stride)};
}

Encoder::Output ConvNet::forward(const Var& x, const Tensor& mask) {
  check_images("convnet", x, sample_shape_);
  if (mask.defined()) throw ShapeError("convnet: has no tokens to mask; connect no mask to it");
  Var h = x;  // (B, C, H, W)
  for (size_t i = 0; i < convs_.size(); ++i) h = norms_[i]->forward_relu(convs_[i]->forward(h));
  if (grid_ == 1) return {global_avg_pool2d(h), {}, {}};  // (B, channels[-1])
  Var cells = avg_pool2d(h, pool_.kernel, pool_.stride);    // (B, channels[-1], grid, grid)
  return {reshape(cells, {cells.shape()[0], feature_dim()}), {}, {}};
}

}  // namespace sslflow::encoders
