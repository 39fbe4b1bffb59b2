#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "evaluators.hpp"
#include "features.hpp"
#include "sslflow/autograd.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"
#include "sslflow/stop.hpp"

namespace sslflow::eval {

namespace {

// Similarities computed at once, at most: 64 MiB of floats per chunk of test samples.
constexpr int64_t kMaxSimilarities = int64_t(1) << 24;

struct Neighbour {
  float similarity;
  int64_t index;
};

// The best.size() largest of `similarities` (N) into `best`, most similar first; among
// equal similarities the lower index first.
void top_k(const float* similarities, int64_t n, std::vector<Neighbour>& best) {
  const int64_t k = int64_t(best.size());
  for (int64_t j = 0; j < k; ++j) best[size_t(j)] = {similarities[j], j};
  std::stable_sort(best.begin(), best.end(),
                   [](const Neighbour& a, const Neighbour& b) { return a.similarity > b.similarity; });
  for (int64_t j = k; j < n; ++j) {
    const float s = similarities[j];
    if (!(s > best.back().similarity)) continue;
    size_t pos = size_t(k) - 1;
    for (; pos > 0 && best[pos - 1].similarity < s; --pos) best[pos] = best[pos - 1];
    best[pos] = {s, j};
  }
}

}  // namespace

Schema Knn::schema() {
  return {
      Option("k", 20, "neighbours that vote; 20 as solo-learn's WeightedKNNClassifier").min(1),
      Option("temperature", 0.07,
             "T of the vote weight exp(similarity / T); 0.07 as InstDisc (Wu et al. 2018) and solo-learn")
          .positive(),
  };
}

Knn::Knn(const Params& params) : k_(params.get<int64_t>("k")), temperature_(params.get<double>("temperature")) {}

Metrics Knn::evaluate(const FeatureSplits& features, uint64_t) const {
  check_labelled_splits("knn", features);
  const int64_t n = features.train.dim(0);
  const int64_t m = features.test.dim(0);
  if (k_ > n) throw Error("knn: k = " + std::to_string(k_) + " exceeds the " + std::to_string(n) + " training samples");

  NoGrad no_grad;
  const Var bank = l2_normalize(Var(features.train));  // (N, D)
  const int64_t chunk = std::max<int64_t>(1, kMaxSimilarities / n);
  std::vector<Neighbour> nearest(static_cast<size_t>(k_));
  std::vector<double> scores(static_cast<size_t>(features.num_classes));
  int64_t top1 = 0, top5 = 0;
  for (int64_t begin = 0; begin < m; begin += chunk) {
    check_stop();
    const int64_t end = std::min(m, begin + chunk);
    const Tensor similarities =
        linear(l2_normalize(Var(features.test.rows(begin, end))), bank).value();  // (end - begin, N)
    for (int64_t i = begin; i < end; ++i) {
      top_k(similarities.data() + (i - begin) * n, n, nearest);
      std::fill(scores.begin(), scores.end(), 0.0);
      for (const Neighbour& nb : nearest)
        scores[size_t(features.train_labels[size_t(nb.index)])] += std::exp(double(nb.similarity) / temperature_);
      const int64_t rank = class_rank(scores, features.test_labels[size_t(i)]);
      top1 += rank == 0;
      top5 += rank < 5;
    }
  }
  Metrics metrics{{"top1", double(top1) / double(m)}};
  if (features.num_classes > 5) metrics.emplace_back("top5", double(top5) / double(m));
  return metrics;
}

}  // namespace sslflow::eval
