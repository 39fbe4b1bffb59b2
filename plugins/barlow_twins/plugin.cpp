// The barlow_twins library: registers the Barlow Twins method.
#include "barlow_twins.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("barlow_twins", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, barlow_twins::BarlowTwins>(
      "barlow_twins", "Barlow Twins: a projector and a cross-correlation loss on two views (Zbontar et al. 2021)");
}
