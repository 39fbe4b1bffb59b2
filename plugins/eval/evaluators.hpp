// The shipped evaluators (kind evaluator), each measuring frozen features:
//
//   knn           weighted cosine k-nearest-neighbour vote          top1, top5 (more than 5 classes)
//   linear_probe  multinomial logistic regression, full-batch L-BFGS top1, train_top1, train_loss
//   health        spectrum and spread of the test features          rankme, embedding_std,
//                                                                    embedding_std_ratio
//
// Accuracies are fractions in [0, 1]. Results depend on the features and the options only
// (no evaluator draws random numbers); ties go to the lower index, of a training sample
// among equally similar neighbours and of a class among equal scores.
// Threading: evaluate() is const and keeps no state between calls; matrix products run in
// parallel through the sdk's ops, the rest on the calling thread.
#pragma once

#include <cstdint>

#include "sslflow/interfaces/evaluator.hpp"
#include "sslflow/params.hpp"

namespace sslflow::eval {

// Features and the train bank L2-normalised; each test sample's k most similar training
// samples vote for their class with weight exp(similarity / temperature) (Wu et al. 2018,
// as solo-learn's WeightedKNNClassifier and lightly's knn_predict). Test samples are
// scored in chunks, so memory stays bounded for any number of them; a stop request ends
// the evaluation between chunks.
class Knn final : public Evaluator {
 public:
  static Schema schema();
  explicit Knn(const Params& params);
  Metrics evaluate(const FeatureSplits& features, uint64_t seed) const override;

 private:
  int64_t k_;
  double temperature_;
};

// Features standardised with the train split's per-dimension mean and standard deviation
// (as scikit-learn's StandardScaler); weights W (C, D) and bias b (C) minimise
//   mean cross-entropy + l2 / 2 * ||W||^2
// from zero by L-BFGS (history 10). train_loss is that objective at the solution.
class LinearProbe final : public Evaluator {
 public:
  static Schema schema();
  explicit LinearProbe(const Params& params);
  Metrics evaluate(const FeatureSplits& features, uint64_t seed) const override;

 private:
  double l2_;
  int64_t max_iterations_;
};

// On the test features Z (M, D), M >= 2:
//   rankme               exp of the entropy of the singular values of Z normalised to sum 1
//                        (plus 1e-7 each), Garrido et al. 2023; 0 for all-zero features
//   embedding_std        per-dimension standard deviation of the L2-normalised rows,
//                        averaged over dimensions: 0 under collapse, about 1/sqrt(D) when
//                        the rows spread uniformly (Chen & He 2021, SimSiam)
//   embedding_std_ratio  embedding_std * sqrt(D), about 1 when healthy
// The singular values come from the eigenvalues of the Gram matrix Z^T Z, accumulated in
// double precision so that the spectrum of low-rank features stays exact.
class Health final : public Evaluator {
 public:
  static Schema schema();
  explicit Health(const Params& params);
  Metrics evaluate(const FeatureSplits& features, uint64_t seed) const override;
};

}  // namespace sslflow::eval
