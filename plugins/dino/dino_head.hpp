// DinoHead: DINO's projection head (facebookresearch/dino, vision_transformer.py,
// DINOHead), a Sequential of three steps:
//
//   0  mlp         Linear in -> hidden, GELU, (Linear hidden -> hidden, GELU) x (layers - 2),
//                  Linear hidden -> bottleneck; one Linear in -> bottleneck when layers is 1
//   1  normalize   x / max(||x||, 1e-12) along the features (F.normalize)
//   2  last_layer  WeightNormLinear bottleneck -> out without bias (weight_norm_linear.hpp)
//
// DINOHead's tensor names with its mlp at position 0 and its last_layer at position 2:
// "0.0.weight", "0.2.bias", "2.weight_g", "2.weight_v". The Linear layers of the mlp are
// initialised as DINOHead._init_weights, weights N(0, 0.02^2) (utils.trunc_normal_ cuts at
// +-2, a hundred standard deviations out, so nothing is ever cut) and biases 0; the last
// layer as weight_norm_linear.hpp says. Without BatchNorm (main_dino.py's
// --use_bn_in_head False).
//
// Threading: forward() and forward_parts() may run concurrently (no layer keeps state).
#pragma once

#include <cstdint>
#include <memory>

#include "sslflow/nn/sequential.hpp"
#include "sslflow/random.hpp"
#include "weight_norm_linear.hpp"

namespace sslflow::dino {

struct DinoHeadLayout {
  int64_t in_dim;
  int64_t hidden_dim;
  int64_t bottleneck_dim;
  int64_t out_dim;
  int64_t layers;        // Linear layers of the mlp, >= 1
  bool norm_last_layer;  // the last layer's weight_g fixed at 1
};

class DinoHead final : public nn::Sequential {
 public:
  DinoHead(const DinoHeadLayout& layout, Rng& rng);

  struct Output {
    Var bottleneck;  // (N, bottleneck_dim), the mlp's output before normalisation
    Var logits;      // (N, out_dim), as forward()
  };
  // The head on x (N, in_dim), keeping the mlp's output.
  Output forward_parts(const Var& x);

  WeightNormLinear& last_layer() { return *last_layer_; }

 private:
  std::shared_ptr<nn::Sequential> mlp_;
  std::shared_ptr<WeightNormLinear> last_layer_;
};

}  // namespace sslflow::dino
