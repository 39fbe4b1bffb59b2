// The distill library: registers the shipped distillation methods.
#include "progressive_distillation.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("distill", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, distill::ProgressiveDistillation>(
      "distill", "layer-to-layer distillation of a frozen teacher's hidden states (Patient KD, Sun et al. 2019)");
}
