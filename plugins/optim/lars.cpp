#include "optimizers.hpp"

namespace sslflow::optim {

Schema Lars::schema() {
  Schema schema = common_schema(0.3, "base learning rate; 0.3 as SimCLR for batch 256 (Chen et al. 2020)", 1e-6,
                                "weight decay added to the gradient; 1e-6 as SimCLR");
  schema.push_back(Option("momentum", 0.9, "momentum mu; 0.9 as SimCLR and BYOL").range(0.0, 1.0));
  schema.push_back(Option("eta", 0.001, "trust coefficient of the layer-wise rate; 0.001 as SimCLR and BYOL")
                       .positive());
  return schema;
}

Lars::Lars(const Params& params)
    : SlotOptimizer(params, {{"momentum_buffer"}}),
      momentum_(params.get<float>("momentum")),
      eta_(params.get<double>("eta")) {}

void Lars::update(Parameter& parameter, const Tensor& grad, double lr) const {
  const float wd = parameter.decay ? static_cast<float>(weight_decay()) : 0.0f;
  float* p = parameter.var.value().data();  // (N,)
  const float* g = grad.data();             // (N,)
  float* b = parameter.slots[0].data();     // (N,) momentum buffer
  const int64_t n = grad.numel();
  double trust = 1.0;
  if (parameter.decay) {
    const double p_norm = norm(n, [p](int64_t i) { return p[i]; });
    const double d_norm = norm(n, [=](int64_t i) { return g[i] + wd * p[i]; });
    if (p_norm > 0.0 && d_norm > 0.0) trust = eta_ * p_norm / d_norm;
  }
  const float rate = static_cast<float>(lr * trust);
  const float mu = momentum_;
  for_each_chunk(n, [=](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float d = g[i] + wd * p[i];
      b[i] = mu * b[i] + rate * d;
      p[i] -= b[i];
    }
  });
}

}  // namespace sslflow::optim
