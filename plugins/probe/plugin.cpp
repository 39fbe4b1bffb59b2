// The probe library: registers the online linear probe.
#include "online_probe.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("probe", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, probe::OnlineProbe>(
      "online_probe", "a linear classifier trained on detached features during pretraining (online linear probe)");
}
