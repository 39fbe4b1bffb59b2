#include <cmath>

#include "optimizers.hpp"

namespace sslflow::optim {

Schema AdamW::schema() {
  Schema schema =
      common_schema(1e-3, "base learning rate; 1e-3 as torch.optim.AdamW", 0.05,
                    "decoupled weight decay; 0.05 as MAE (He et al. 2022) and data2vec (Baevski et al. 2022)");
  schema.push_back(Option::floats("betas", {0.9, 0.999},
                                  "moment decays (beta1, beta2), each below 1; (0.9, 0.999) as torch.optim.AdamW")
                       .length(2)
                       .range(0.0, 1.0));
  schema.push_back(Option("eps", 1e-8, "added to the root of the second moment; 1e-8 as torch.optim.AdamW").positive());
  return schema;
}

AdamW::AdamW(const Params& params)
    : SlotOptimizer(params, {{"exp_avg"}, {"exp_avg_sq"}, {"step", true}}),
      beta1_(params.get<std::vector<double>>("betas")[0]),
      beta2_(params.get<std::vector<double>>("betas")[1]),
      eps_(params.get<float>("eps")) {}

void AdamW::check(const Params& params) {
  for (double beta : params.get<std::vector<double>>("betas"))
    if (beta >= 1.0) throw OptionError("betas must be below 1, got " + params.value("betas").str());
}

void AdamW::update(Parameter& parameter, const Tensor& grad, double lr) const {
  Tensor& count = parameter.slots[2];  // () updates of this parameter, as PyTorch's state["step"]
  count.data()[0] += 1.0f;
  const double t = count.item();
  const float shrink = static_cast<float>(1.0 - lr * (parameter.decay ? weight_decay() : 0.0));
  const float beta1 = static_cast<float>(beta1_), one_minus_beta1 = static_cast<float>(1.0 - beta1_);
  const float beta2 = static_cast<float>(beta2_), one_minus_beta2 = static_cast<float>(1.0 - beta2_);
  const float step_size = static_cast<float>(lr / (1.0 - std::pow(beta1_, t)));
  const float correction2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(beta2_, t)));
  const float eps = eps_;
  float* p = parameter.var.value().data();  // (N,)
  const float* g = grad.data();             // (N,)
  float* m = parameter.slots[0].data();     // (N,) first moment
  float* v = parameter.slots[1].data();     // (N,) second moment
  for_each_chunk(grad.numel(), [=](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      p[i] *= shrink;
      m[i] = beta1 * m[i] + one_minus_beta1 * g[i];
      v[i] = beta2 * v[i] + one_minus_beta2 * g[i] * g[i];
      p[i] -= step_size * (m[i] / (std::sqrt(v[i]) / correction2_sqrt + eps));
    }
  });
}

}  // namespace sslflow::optim
