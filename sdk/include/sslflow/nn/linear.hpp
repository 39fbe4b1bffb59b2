// Linear layer, y = x W^T + b, as torch.nn.Linear: weight [out, in], bias [out], both
// initialised U(-1/sqrt(in), 1/sqrt(in)) (PyTorch's default).
#pragma once

#include "sslflow/module.hpp"
#include "sslflow/random.hpp"

namespace sslflow::nn {

class SSLFLOW_EXPORT Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, Rng& rng, bool bias = true);
  Var forward(const Var& x) const;  // (..., in) -> (..., out)

  Var weight;
  Var bias;  // undefined without bias
};

}  // namespace sslflow::nn
