// The dino library: registers the DINO method.
#include "dino.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("dino", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, dino::Dino>("dino",
                                   "DINO: self-distillation of an EMA teacher's centred, sharpened outputs over "
                                   "multi-crop views (Caron et al. 2021)");
}
