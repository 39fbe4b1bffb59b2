// The optim library: registers the shipped optimizers.
#include "optimizers.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("optim", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Optimizer, optim::Sgd>("sgd", "stochastic gradient descent with momentum (torch.optim.SGD)");
  registry.add<Optimizer, optim::AdamW>("adamw", "Adam with decoupled weight decay (torch.optim.AdamW)");
  registry.add<Optimizer, optim::Lars>("lars", "SGD with layer-wise trust ratios (LARS, as SimCLR and BYOL)");
}
