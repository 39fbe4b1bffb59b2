// Evaluator: measures a learned representation (plugin kind "evaluator"): kNN, linear probe.
//
// Lifecycle: constructed from its Params; evaluate() whenever the pipeline's schedule says
// (`every_epochs`, `at_end`), with frozen features of the train and test splits.
// Threading: evaluate() is const and may parallelise internally.
// Contract: returns metrics such as {"knn_top1", 0.83}; accuracies are fractions in [0, 1].
#pragma once

#include <cstdint>
#include <vector>

#include "sslflow/metrics.hpp"
#include "sslflow/plugin.hpp"
#include "sslflow/tensor.hpp"

namespace sslflow {

struct FeatureSplits {
  Tensor train;  // (N_train, D)
  std::vector<int64_t> train_labels;
  Tensor test;  // (N_test, D)
  std::vector<int64_t> test_labels;
  int64_t num_classes = 0;
};

class SSLFLOW_EXPORT Evaluator : public Plugin {
 public:
  static constexpr const char* kKind = "evaluator";
  ~Evaluator() override;

  virtual Metrics evaluate(const FeatureSplits& features, uint64_t seed) const = 0;
};

}  // namespace sslflow
