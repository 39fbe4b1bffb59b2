// The encoders library: registers the shipped encoders.
#include "encoders.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("encoders", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Encoder, encoders::Mlp>(
      "mlp", "multilayer perceptron on flattened images, or per token on image patches (data2vec)");
  registry.add<Encoder, encoders::ConvNet>("convnet",
                                           "stages of 3x3 convolution, batch norm and ReLU, then global average pool");
  registry.add<Encoder, encoders::ResNet>("resnet", "ResNet-18/34/50 with torchvision's names and layouts, without fc");
  registry.add<Encoder, encoders::Vit>("vit", "Vision Transformer with a class token and learned positions (timm)");
}
