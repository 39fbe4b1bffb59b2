#include "features.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "sslflow/error.hpp"

namespace sslflow::eval {

void check_features(const char* plugin, const char* what, const Tensor& x, int64_t min_rows) {
  if (!x.defined()) throw ShapeError(std::string(plugin) + ": " + what + " are missing");
  if (x.rank() != 2 || x.dim(0) < min_rows || x.dim(1) < 1)
    throw ShapeError(std::string(plugin) + ": " + what + ": expected a matrix (N, D) with N >= " +
                     std::to_string(min_rows) + " and D >= 1, got " + x.shape().str());
  for (float v : x.values())
    if (!std::isfinite(v)) throw Error(std::string(plugin) + ": " + what + " hold a NaN or an infinity");
}

namespace {

void check_labels(const char* plugin, const char* split, const Tensor& x, const std::vector<int64_t>& labels,
                  int64_t num_classes) {
  if (int64_t(labels.size()) != x.dim(0))
    throw ShapeError(std::string(plugin) + ": " + split + " features " + x.shape().str() + " have " +
                     std::to_string(labels.size()) + " labels, expected one per row");
  for (int64_t label : labels)
    if (label < 0 || label >= num_classes)
      throw Error(std::string(plugin) + ": " + split + " label " + std::to_string(label) + " is outside [0, " +
                  std::to_string(num_classes) + ")");
}

}  // namespace

void check_labelled_splits(const char* plugin, const FeatureSplits& features) {
  check_features(plugin, "train features", features.train);
  check_features(plugin, "test features", features.test);
  if (features.train.dim(1) != features.test.dim(1))
    throw ShapeError(std::string(plugin) + ": train features " + features.train.shape().str() + " and test features " +
                     features.test.shape().str() + " differ in width");
  if (features.num_classes < 1)
    throw Error(std::string(plugin) + ": needs labelled data, got num_classes " + std::to_string(features.num_classes));
  check_labels(plugin, "train", features.train, features.train_labels, features.num_classes);
  check_labels(plugin, "test", features.test, features.test_labels, features.num_classes);
}

int64_t class_rank(std::span<const double> scores, int64_t label) {
  const double own = scores[size_t(label)];
  int64_t ahead = 0;
  for (size_t c = 0; c < scores.size(); ++c)
    if (scores[c] > own || (scores[c] == own && int64_t(c) < label)) ++ahead;
  return ahead;
}

}  // namespace sslflow::eval
