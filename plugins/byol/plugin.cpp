// The byol library: registers the BYOL method.
#include "byol.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("byol", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, byol::Byol>(
      "byol", "BYOL: an online network predicting an EMA target network's projections (Grill et al. 2020)");
}
