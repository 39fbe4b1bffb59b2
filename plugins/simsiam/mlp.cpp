#include "mlp.hpp"

#include <string>

#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::simsiam {

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
    if (layer.norm) h = layer.norm->forward(h);
    if (layer.relu) h = relu(h);
  }
  return h;
}

}  // namespace sslflow::simsiam
