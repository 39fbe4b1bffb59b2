// The swav library: registers the SwAV method.
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"
#include "swav.hpp"

SSLFLOW_PLUGIN("swav", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, swav::Swav>(
      "swav", "SwAV: swapped prediction of Sinkhorn-Knopp cluster codes across multi-crop views (Caron et al. 2020)");
}
