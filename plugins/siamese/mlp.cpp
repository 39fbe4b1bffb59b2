#include "mlp.hpp"

#include <string>

#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::siamese {

MlpLayout MlpLayout::uniform(int64_t input, int64_t hidden, int64_t output, int64_t layers, bool hidden_norm,
                             bool output_norm) {
  MlpLayout layout{{input}, hidden_norm, output_norm};
  for (int64_t i = 1; i < layers; ++i) layout.widths.push_back(hidden);
  layout.widths.push_back(output);
  return layout;
}

Mlp::Mlp(const MlpLayout& layout, HeadInit init, Rng& rng) {
  int index = 0;  // the position in the equivalent nn.Sequential, ReLUs included
  const size_t count = layout.widths.size() - 1;
  for (size_t i = 0; i < count; ++i) {
    const bool last = i + 1 == count;
    const bool norm = last ? layout.output_norm : layout.hidden_norm;
    Layer layer;
    layer.linear = register_module(std::to_string(index++),
                                   std::make_shared<nn::Linear>(layout.widths[i], layout.widths[i + 1], rng, !norm));
    if (init == HeadInit::Kaiming) {
      init::kaiming_normal(layer.linear->weight.value(), rng);
      if (layer.linear->bias.defined()) layer.linear->bias.value().fill(0.0f);
    }
    if (norm)
      layer.norm = register_module(std::to_string(index++),
                                   std::make_shared<nn::BatchNorm>(layout.widths[i + 1], /*affine=*/!last));
    layer.relu = !last;
    if (layer.relu) ++index;
    layers_.push_back(std::move(layer));
  }
}

Var Mlp::forward(const Var& x) {
  Var h = x;
  for (const Layer& layer : layers_) {
    h = layer.linear->forward(h);
    if (layer.norm)
      h = layer.relu ? layer.norm->forward_relu(h) : layer.norm->forward(h);
    else if (layer.relu)
      h = relu(h);
  }
  return h;
}

}  // namespace sslflow::siamese
