#include "sslflow/nn/mlp.hpp"

#include <memory>
#include <string>

#include "sslflow/error.hpp"
#include "sslflow/init.hpp"
#include "sslflow/nn/linear.hpp"

namespace sslflow::nn {

MlpLayout MlpLayout::uniform(int64_t input, int64_t hidden, int64_t output, int64_t layers, bool hidden_norm,
                             bool output_norm) {
  MlpLayout layout{{input}, hidden_norm, output_norm};
  for (int64_t i = 1; i < layers; ++i) layout.widths.push_back(hidden);
  layout.widths.push_back(output);
  return layout;
}

Mlp::Mlp(const MlpLayout& layout, HeadInit init, Rng& rng) {
  if (layout.widths.size() < 2) throw OptionError("mlp: needs at least an input and an output width");
  for (int64_t width : layout.widths)
    if (width < 1) throw OptionError("mlp: every width must be at least 1, got " + std::to_string(width));
  const size_t count = layout.widths.size() - 1;
  for (size_t i = 0; i < count; ++i) {
    const bool last = i + 1 == count;
    const bool norm = last ? layout.output_norm : layout.hidden_norm;
    const bool bias = norm ? layout.bias_before_norm : !last || layout.output_bias;
    auto linear = add(std::make_shared<Linear>(layout.widths[i], layout.widths[i + 1], rng, bias));
    if (init == HeadInit::Kaiming) {
      init::kaiming_normal(linear->weight.value(), rng);
      if (linear->bias.defined()) linear->bias.value().fill(0.0f);
    }
    if (norm) add(std::make_shared<BatchNorm>(layout.widths[i + 1], /*affine=*/!last));
    if (!last) add_relu();
  }
}

}  // namespace sslflow::nn
