// Frozen features of a dataset split through an encoder (evaluation mode, no gradient),
// or its raw pixels, in dataset order, for the evaluators. A stop request ends an
// extraction between batches with StopRequested; the encoder keeps its training mode.
#pragma once

#include <cstdint>
#include <functional>

#include "sslflow/interfaces/dataset.hpp"
#include "sslflow/interfaces/encoder.hpp"
#include "sslflow/interfaces/evaluator.hpp"

namespace sslflow::engine {

// Samples per encoder forward pass when extracting features.
inline constexpr int64_t kFeatureBatch = 512;

// Called after each batch with the samples encoded so far and the samples to encode.
using ExtractionProgress = std::function<void(int64_t done, int64_t total)>;

// Features (N, D) and labels of the first `limit` samples of `split` (all when 0).
void extract_features(Encoder& encoder, const Dataset& data, Split split, int64_t limit, int64_t batch_size,
                      Tensor* features, std::vector<int64_t>* labels, const ExtractionProgress& progress = {});

// Both splits, with the dataset's class count; `progress` counts over both.
FeatureSplits extract_splits(Encoder& encoder, const Dataset& data, int64_t max_train, int64_t max_test,
                             int64_t batch_size, const ExtractionProgress& progress = {});

// Raw pixels as features: each image flattened to (C*H*W), both splits.
FeatureSplits pixel_splits(const Dataset& data, int64_t max_train, int64_t max_test);

}  // namespace sslflow::engine
