#include "train/channel_stats.hpp"

#include <algorithm>
#include <cmath>

#include <tbb/parallel_for.h>

#include "sslflow/error.hpp"

namespace sslflow::engine {

namespace {

constexpr int64_t kBlock = 256;  // samples summed by one task

struct Sums {
  std::vector<double> sum, sum_sq;  // per channel
};

}  // namespace

ChannelStats channel_stats(const Dataset& data, Split split) {
  const Shape shape = data.sample_shape();
  const int64_t n = data.size(split);
  if (shape.rank() < 1 || n == 0)
    throw Error("channel statistics need samples of shape [C, ...], got " + std::to_string(n) + " samples of " +
                shape.str());
  const auto channels = static_cast<size_t>(shape[0]);
  const int64_t per_channel = shape.numel() / shape[0];
  std::vector<Sums> blocks(static_cast<size_t>((n + kBlock - 1) / kBlock),
                           Sums{std::vector<double>(channels), std::vector<double>(channels)});
  tbb::parallel_for(size_t{0}, blocks.size(), [&](size_t b) {
    std::vector<float> sample(static_cast<size_t>(shape.numel()));
    Sums& sums = blocks[b];
    const int64_t end = std::min(n, static_cast<int64_t>(b + 1) * kBlock);
    for (int64_t i = static_cast<int64_t>(b) * kBlock; i < end; ++i) {
      data.read(split, i, sample);
      for (size_t c = 0; c < channels; ++c)
        for (int64_t p = 0; p < per_channel; ++p) {
          const double v = sample[c * static_cast<size_t>(per_channel) + static_cast<size_t>(p)];
          sums.sum[c] += v;
          sums.sum_sq[c] += v * v;
        }
    }
  });
  ChannelStats stats{n, std::vector<double>(channels), std::vector<double>(channels)};
  const double count = double(n) * double(per_channel);
  for (size_t c = 0; c < channels; ++c) {
    double sum = 0.0, sum_sq = 0.0;
    for (const Sums& block : blocks) {
      sum += block.sum[c];
      sum_sq += block.sum_sq[c];
    }
    stats.mean[c] = sum / count;
    stats.std[c] = std::sqrt(std::max(0.0, sum_sq / count - stats.mean[c] * stats.mean[c]));
  }
  return stats;
}

}  // namespace sslflow::engine
