// The simclr library: registers the SimCLR method.
#include "simclr.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("simclr", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, simclr::SimClr>(
      "simclr", "SimCLR: a projection head and a contrastive loss between two views (Chen et al. 2020)");
}
