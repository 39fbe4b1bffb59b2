// Layer normalisation over the last dimension as torch.nn.LayerNorm: weight (1) and
// bias (0) of [D], eps 1e-5 by default (ViT implementations often use 1e-6: pass it).
#pragma once

#include "sslflow/module.hpp"

namespace sslflow::nn {

class SSLFLOW_EXPORT LayerNorm : public Module {
 public:
  explicit LayerNorm(int64_t dim, float eps = 1e-5f);
  Var forward(const Var& x) const;

  Var weight;
  Var bias;

 private:
  float eps_;
};

}  // namespace sslflow::nn
