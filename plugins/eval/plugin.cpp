// The eval library: registers the shipped evaluators.
#include "evaluators.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("eval", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Evaluator, eval::Knn>("knn", "weighted cosine k-nearest-neighbour accuracy (InstDisc, solo-learn)");
  registry.add<Evaluator, eval::LinearProbe>(
      "linear_probe", "accuracy of a logistic regression fitted by full-batch L-BFGS on standardised features");
  registry.add<Evaluator, eval::Health>(
      "health", "collapse indicators of the test features: RankMe effective rank and embedding spread");
}
