// The per-channel mean and standard deviation of a dataset's images, for the `mean` and
// `std` options of the normalize and augment transforms (torchvision's Normalize): over
// every pixel of every sample of a split, the population standard deviation, as the
// CIFAR-10 and ImageNet values in use were computed. Samples are summed in fixed blocks,
// in parallel, then the blocks in order, so the result does not depend on the thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "sslflow/interfaces/dataset.hpp"

namespace sslflow::engine {

struct ChannelStats {
  int64_t samples = 0;
  std::vector<double> mean;  // one per channel
  std::vector<double> std;   // one per channel
};

// `data` must be open; its samples are (C, ...) with C the first dimension of sample_shape().
ChannelStats channel_stats(const Dataset& data, Split split);

}  // namespace sslflow::engine
