// The mae library: registers the mae method and its random_masking transform.
#include "mae.hpp"
#include "random_masking.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("mae", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, mae::Mae>(
      "mae", "masked autoencoder: a light decoder reconstructs the pixels of the dropped patches (He et al. 2022)");
  registry.add<Transform, mae::RandomMasking>(
      "random_masking", "MAE's random mask: int(L (1 - ratio)) patches kept per sample, the same in every sample");
}
