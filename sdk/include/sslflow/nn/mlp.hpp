// Mlp: the projection and prediction heads of self-supervised methods, a Sequential of
// Linear, BatchNorm1d and ReLU layers with nn.Sequential's parameter names ("0.weight",
// "1.running_mean", "3.weight", ...).
//
// widths [w0, w1, ..., wn] give n Linear layers. After each but the last: BatchNorm1d (when
// hidden_norm) and ReLU. After the last: BatchNorm1d without affine parameters (when
// output_norm), as SimSiam's projector. A Linear followed by BatchNorm has no bias, which
// the normalisation would cancel: SimSiam's reference implementation has none in its
// hidden layers and freezes that of its last projector layer, which the output norm
// cancels; lightly's projection heads drop every such bias.
// Two switches give the heads whose reference code does otherwise: bias_before_norm keeps
// the bias of a Linear followed by a BatchNorm (nn.Linear's default, as VICReg's
// Projector), and output_bias off drops the last Linear's bias (VICReg's and Barlow
// Twins' projectors end in Linear(bias=False)).
//
// Threading: forward() runs the batch norms in training mode, which update their running
// statistics: call it from one thread at a time, or inside an ApplicationScope per view.
#pragma once

#include <cstdint>
#include <vector>

#include "sslflow/nn/sequential.hpp"
#include "sslflow/random.hpp"

namespace sslflow::nn {

enum class HeadInit {
  PyTorch,  // nn.Linear's default: U(-1/sqrt(in), 1/sqrt(in)) for weights and biases
  Kaiming,  // weights N(0, 2 / fan_in) (He et al. 2015), biases 0
};

struct MlpLayout {
  std::vector<int64_t> widths;  // input, hidden..., output
  bool hidden_norm = true;
  bool output_norm = false;
  bool bias_before_norm = false;  // a Linear followed by a BatchNorm keeps its bias
  bool output_bias = true;        // the last Linear has a bias (unless an output norm follows)

  // `layers` Linear layers (>= 1), input -> hidden -> ... -> hidden -> output: a
  // projector of one hidden width.
  SSLFLOW_EXPORT static MlpLayout uniform(int64_t input, int64_t hidden, int64_t output, int64_t layers,
                                          bool hidden_norm, bool output_norm);
};

class SSLFLOW_EXPORT Mlp final : public Sequential {
 public:
  // Draws the weights from `rng`, layer by layer. Throws OptionError for fewer than two
  // widths or a width below 1.
  Mlp(const MlpLayout& layout, HeadInit init, Rng& rng);
};

}  // namespace sslflow::nn
