// The ema library: registers the shipped EMA schedulers.
#include "ema_schedulers.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("ema", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<EmaScheduler, ema::Constant>("constant", "a fixed teacher momentum (MoCo)");
  registry.add<EmaScheduler, ema::Linear>("linear",
                                          "momentum rising linearly from start to end over the run (data2vec)");
  registry.add<EmaScheduler, ema::Cosine>("cosine",
                                          "momentum moving from start to end along a half cosine (BYOL, stable-pretraining)");
}
