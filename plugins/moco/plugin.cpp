// The moco library: registers the MoCo v3 method.
#include "mocov3.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("moco", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Method, moco::MocoV3>(
      "mocov3", "MoCo v3: symmetric InfoNCE between online predictions and momentum keys (Chen, Xie & He 2021)");
}
