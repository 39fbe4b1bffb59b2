// The losses library: registers the shipped losses.
#include "losses.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("losses", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Loss, losses::NegativeCosine>("negative_cosine",
                                             "mean of -cos(pred, target) along the last dimension (SimSiam, BYOL)");
  registry.add<Loss, losses::SmoothL1>("smooth_l1", "Huber loss with transition beta (data2vec)");
  registry.add<Loss, losses::Mse>("mse", "mean squared error (MAE)");
  registry.add<Loss, losses::CrossEntropy>("cross_entropy",
                                           "softmax cross-entropy of logits (N, C) with class ids (N)");
  registry.add<Loss, losses::Commitment>("commitment", "beta * mean((z - sg(q))^2), VQ-VAE's commitment term");
  registry.add<Loss, losses::NtXent>("nt_xent",
                                     "SimCLR's normalised-temperature cross-entropy of two views (N, D) each");
}
