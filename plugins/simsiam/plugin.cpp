// The simsiam library: registers the SimSiam method.
#include "simsiam.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("simsiam", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, simsiam::SimSiam>("simsiam",
                                         "SimSiam: projector, predictor and a stop-gradient on two views (Chen & He 2021)");
}
