// Checks on the features an evaluator receives, and the ranking of class scores that
// turns scores into top-k hits. Every error names the evaluator (`plugin`).
#pragma once

#include <cstdint>
#include <span>

#include "sslflow/interfaces/evaluator.hpp"

namespace sslflow::eval {

// Throws ShapeError unless `x` is a matrix of at least `min_rows` rows and one column, and
// Error when it holds a NaN or an infinity. `what` names it ("test features").
void check_features(const char* plugin, const char* what, const Tensor& x, int64_t min_rows = 1);

// check_features on both splits, plus: equal widths and one label per row (ShapeError),
// num_classes >= 1 and every label in [0, num_classes) (Error).
void check_labelled_splits(const char* plugin, const FeatureSplits& features);

// How many classes rank ahead of `label`: those scoring higher, and those scoring the same
// with a lower index. 0 means `label` is the prediction; below 5, a top-5 hit.
int64_t class_rank(std::span<const double> scores, int64_t label);

}  // namespace sslflow::eval
