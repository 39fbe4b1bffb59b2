// BatchLoader: reads a batch of training samples and applies every transform node to each
// sample, samples in parallel (oneTBB), producing the `data.*` and transform ports.
//
// A sample's randomness is the stream (seed, node, epoch, sample index), so a batch is a
// pure function of (seed, epoch, step) whatever the thread count. Batches are drawn
// without replacement in the order of epoch_permutation(); a last partial batch is
// dropped. load() is const and may run in a background task while a step computes.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "exec/nodes.hpp"
#include "sslflow/interfaces/dataset.hpp"

namespace sslflow::engine {

struct Batch {
  int64_t epoch = 0;
  int64_t step = 0;                                 // within the epoch
  std::vector<std::pair<PortId, Tensor>> ports;     // (B, ...) per port: data, transforms
};

class BatchLoader {
 public:
  BatchLoader(const Dataset& data, const LiveNodes& nodes, int64_t batch_size, uint64_t seed);

  // The steps of an epoch over `train_size` samples, a last partial batch dropped; throws
  // Error unless 0 < batch_size <= train_size.
  static int64_t epoch_steps(int64_t train_size, int64_t batch_size);

  int64_t steps_per_epoch() const { return steps_per_epoch_; }
  Batch load(int64_t epoch, int64_t step) const;

 private:
  struct TransformStage {
    const TransformNode* node;
    size_t input;  // index into the per-sample buffers: 0 is the image, k > 0 is stage k - 1
  };

  // The epoch's sample order, computed once per epoch.
  std::shared_ptr<const std::vector<int64_t>> order_of(int64_t epoch) const;

  const Dataset& data_;
  int64_t batch_size_;
  uint64_t seed_;
  int64_t steps_per_epoch_;
  Shape sample_shape_;
  std::vector<TransformStage> stages_;  // producers first
  mutable std::mutex order_mutex_;
  mutable std::shared_ptr<const std::vector<int64_t>> order_;
  mutable int64_t order_epoch_ = -1;
};

}  // namespace sslflow::engine
