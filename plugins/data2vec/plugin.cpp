// The data2vec library: registers the data2vec method.
#include "data2vec.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("data2vec", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, data2vec::Data2Vec>(
      "data2vec", "masked prediction of an EMA teacher's averaged top-K block outputs (Baevski et al. 2022)");
}
