#include "optimizers.hpp"

namespace sslflow::optim {

namespace {

std::vector<SlotSpec> sgd_slots(const Params& params) {
  if (params.get<double>("momentum") == 0.0) return {};
  return {{"momentum_buffer"}};
}

}  // namespace

Schema Sgd::schema() {
  Schema schema = common_schema(0.05, "base learning rate; 0.05 as SimSiam for batch 256 (Chen & He 2021)", 1e-4,
                                "weight decay added to the gradient; 1e-4 as SimSiam on ImageNet");
  schema.push_back(Option("momentum", 0.9, "momentum mu; 0.9 as SimSiam").range(0.0, 1.0));
  schema.push_back(Option("nesterov", false, "Nesterov momentum (needs momentum > 0); off as SimSiam"));
  return schema;
}

Sgd::Sgd(const Params& params)
    : SlotOptimizer(params, sgd_slots(params)),
      momentum_(params.get<float>("momentum")),
      nesterov_(params.get<bool>("nesterov")) {}

void Sgd::check(const Params& params) {
  if (params.get<bool>("nesterov") && params.get<double>("momentum") == 0.0)
    throw OptionError("nesterov needs momentum > 0");
}

void Sgd::update(Parameter& parameter, const Tensor& grad, double lr) const {
  const float wd = parameter.decay ? static_cast<float>(weight_decay()) : 0.0f;
  const float rate = static_cast<float>(lr);
  const float mu = momentum_;
  const bool nesterov = nesterov_;
  float* p = parameter.var.value().data();                      // (N,)
  const float* g = grad.data();                                 // (N,)
  float* b = mu != 0.0f ? parameter.slots[0].data() : nullptr;  // (N,) momentum buffer
  for_each_chunk(grad.numel(), [=](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float d = g[i];
      if (wd != 0.0f) d += wd * p[i];
      if (b) {
        b[i] = mu * b[i] + d;
        d = nesterov ? d + mu * b[i] : b[i];
      }
      p[i] -= rate * d;
    }
  });
}

}  // namespace sslflow::optim
