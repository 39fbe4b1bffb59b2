// The vicreg library: registers the VICReg method.
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"
#include "vicreg.hpp"

SSLFLOW_PLUGIN("vicreg", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, vicreg::VicReg>(
      "vicreg", "VICReg: an expander and a variance-invariance-covariance loss on two views (Bardes et al. 2022)");
}
