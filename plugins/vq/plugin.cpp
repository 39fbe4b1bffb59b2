// The vq library: masked prediction of vector-quantised teacher tokens.
#include "masked_code_prediction.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("vq", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, vq::MaskedCodePrediction>(
      "vq", "BEiT-style prediction of the EMA-codebook codes of the teacher's tokens at masked positions");
}
