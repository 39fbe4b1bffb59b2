// The moco library: registers the MoCo v2 and MoCo v3 methods.
#include "mocov2.hpp"
#include "mocov3.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("moco", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, moco::MocoV2>(
      "mocov2", "MoCo v2: InfoNCE of queries against momentum keys and a queue of earlier keys (Chen et al. 2020)");
  registry.add<Method, moco::MocoV3>(
      "mocov3", "MoCo v3: symmetric InfoNCE between online predictions and momentum keys (Chen, Xie & He 2021)");
}
