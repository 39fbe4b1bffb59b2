#include <cmath>
#include <vector>

#include "evaluators.hpp"
#include "features.hpp"
#include "lbfgs.hpp"
#include "softmax_regression.hpp"

namespace sslflow::eval {

namespace {

// Per-dimension mean and 1 / standard deviation (population, as scikit-learn's
// StandardScaler) of x (N, D); a constant dimension keeps scale 1.
struct Standardizer {
  std::vector<double> mean;
  std::vector<double> inv_std;

  explicit Standardizer(const Tensor& x) {
    const int64_t n = x.dim(0), d = x.dim(1);
    mean.assign(size_t(d), 0.0);
    std::vector<double> sq(static_cast<size_t>(d), 0.0);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < d; ++j) mean[size_t(j)] += x.data()[i * d + j];
    for (double& m : mean) m /= double(n);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < d; ++j) {
        const double c = x.data()[i * d + j] - mean[size_t(j)];
        sq[size_t(j)] += c * c;
      }
    inv_std.resize(size_t(d));
    for (int64_t j = 0; j < d; ++j) {
      const double sd = std::sqrt(sq[size_t(j)] / double(n));
      inv_std[size_t(j)] = sd > 0.0 ? 1.0 / sd : 1.0;
    }
  }

  Tensor apply(const Tensor& x) const {
    const int64_t n = x.dim(0), d = x.dim(1);
    Tensor out = Tensor::uninitialized(x.shape());  // (N, D)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < d; ++j)
        out.data()[i * d + j] = float((x.data()[i * d + j] - mean[size_t(j)]) * inv_std[size_t(j)]);
    return out;
  }
};

// The fraction of rows of logits (N, C) whose highest score (lowest class among equals)
// is the label.
double accuracy(const Tensor& logits, const std::vector<int64_t>& labels) {
  const int64_t n = logits.dim(0), classes = logits.dim(1);
  std::vector<double> scores(static_cast<size_t>(classes));
  int64_t hits = 0;
  for (int64_t i = 0; i < n; ++i) {
    std::copy_n(logits.data() + i * classes, classes, scores.begin());
    hits += class_rank(scores, labels[size_t(i)]) == 0;
  }
  return double(hits) / double(n);
}

}  // namespace

Schema LinearProbe::schema() {
  return {
      Option("l2", 1e-4,
             "weight decay lambda in mean cross-entropy + lambda ||W||^2 / 2; 1e-4 is scikit-learn "
             "LogisticRegression's default C = 1 on 10,000 samples")
          .min(0.0),
      Option("max_iterations", 200,
             "L-BFGS iterations at most; 200, twice scikit-learn LogisticRegression's max_iter, as raw "
             "features need more than 100")
          .min(1),
  };
}

LinearProbe::LinearProbe(const Params& params)
    : l2_(params.get<double>("l2")), max_iterations_(params.get<int64_t>("max_iterations")) {}

Metrics LinearProbe::evaluate(const FeatureSplits& features, uint64_t) const {
  check_labelled_splits("linear_probe", features);
  const Standardizer standardizer(features.train);
  const Tensor train = standardizer.apply(features.train);  // (N, D)
  const Tensor test = standardizer.apply(features.test);    // (M, D)

  const SoftmaxRegression objective(train, features.train_labels, features.num_classes, l2_);
  LbfgsOptions options;
  options.max_iterations = max_iterations_;
  const Objective f = [&](std::span<const double> theta, std::span<double> gradient) {
    return objective.value_and_gradient(theta, gradient);
  };
  const LbfgsResult fit = minimize_lbfgs(f, std::vector<double>(size_t(objective.parameter_count()), 0.0), options);

  return {
      {"top1", accuracy(objective.logits(test, fit.x), features.test_labels)},
      {"train_top1", accuracy(objective.logits(train, fit.x), features.train_labels)},
      {"train_loss", fit.value},
  };
}

}  // namespace sslflow::eval
