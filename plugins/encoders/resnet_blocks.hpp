// The residual blocks of torchvision's ResNet (He et al. 2016), with torchvision's module
// names and layouts, so a block's parameters are named as in torchvision.models.resnet:
//
//   Basic       conv1 (3x3, stride) -> bn1 -> ReLU -> conv2 (3x3) -> bn2        (ResNet-18/34)
//   Bottleneck  conv1 (1x1) -> bn1 -> ReLU -> conv2 (3x3, stride) -> bn2 -> ReLU
//               -> conv3 (1x1, 4x the channels) -> bn3                          (ResNet-50)
//
// then out = ReLU(that + shortcut), the shortcut being the input itself or, where the stride
// or the channel count changes, downsample.0 (1x1 conv, stride) -> downsample.1 (BatchNorm2d).
// The Bottleneck strides its 3x3 convolution, as torchvision's (ResNet v1.5).
//
// Convolutions have no bias and are drawn as torchvision draws them,
// kaiming_normal_(mode="fan_out", nonlinearity="relu"); batch norms are BatchNorm2d with
// torchvision's defaults (weight 1, bias 0, eps 1e-5, momentum 0.1).
//
// Threading: forward() may run concurrently for different applications (views); the batch
// norms stage their running statistics per application (sslflow/nn/application.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sslflow/nn/batch_norm.hpp"
#include "sslflow/nn/conv2d.hpp"
#include "sslflow/nn/sequential.hpp"
#include "sslflow/random.hpp"

namespace sslflow::encoders {

enum class ResidualBlockType { Basic, Bottleneck };

// Output channels per `planes`: 1 for Basic, 4 for Bottleneck (torchvision's `expansion`).
int64_t block_expansion(ResidualBlockType type);

// A bias-free `kernel` x `kernel` convolution padded by kernel / 2, initialised as
// torchvision's ResNet initialises its convolutions.
std::shared_ptr<nn::Conv2d> resnet_conv(int64_t in_channels, int64_t out_channels, int kernel, int stride, Rng& rng);

class ResidualBlock final : public Module {
 public:
  // in_channels -> planes * block_expansion(type) channels; `stride` subsamples once.
  ResidualBlock(ResidualBlockType type, int64_t in_channels, int64_t planes, int stride, Rng& rng);
  Var forward(const Var& x);  // (B, in, H, W) -> (B, out, H', W')

  // Sets the weight of the last batch norm (bn2 or bn3) to 0, so that the block starts as
  // its shortcut: torchvision's zero_init_residual (Goyal et al. 2017).
  void zero_init_last_norm();

 private:
  std::vector<std::shared_ptr<nn::Conv2d>> convs_;     // conv1, conv2[, conv3]
  std::vector<std::shared_ptr<nn::BatchNorm>> norms_;  // bn1, bn2[, bn3]
  std::shared_ptr<nn::Sequential> downsample_;         // null where the shortcut is the input
};

}  // namespace sslflow::encoders
