// Multi-head self-attention as torch.nn.MultiheadAttention (batch_first): parameters
// in_proj_weight [3D, D] (Xavier uniform), in_proj_bias [3D] (0), out_proj.weight [D, D]
// and out_proj.bias [D] (0), PyTorch's names and initialisation.
#pragma once

#include <memory>

#include "sslflow/module.hpp"
#include "sslflow/nn/linear.hpp"
#include "sslflow/random.hpp"

namespace sslflow::nn {

class SSLFLOW_EXPORT MultiHeadAttention : public Module {
 public:
  MultiHeadAttention(int64_t dim, int heads, Rng& rng);
  Var forward(const Var& x) const;  // (B, T, D) -> (B, T, D)

  Var in_proj_weight;
  Var in_proj_bias;
  std::shared_ptr<Linear> out_proj;

 private:
  int heads_;
};

}  // namespace sslflow::nn
