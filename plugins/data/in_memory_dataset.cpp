#include "in_memory_dataset.hpp"

#include <algorithm>

#include "sslflow/error.hpp"

namespace sslflow::data {

namespace {

size_t slot(Split split) { return split == Split::Train ? 0 : 1; }

}  // namespace

int64_t InMemoryDataset::size(Split split) const { return splits_[slot(split)].count; }

void InMemoryDataset::set_split(Split split, SplitSamples samples) {
  const auto pixels = static_cast<size_t>(samples.count * sample_shape_.numel());
  SSLFLOW_ASSERT(samples.bytes.size() + samples.floats.size() + samples.mapped.size() == pixels,
                 key_ + ": a split's pixels do not match its count and sample shape");
  SSLFLOW_ASSERT(samples.labels.empty() || samples.labels.size() == static_cast<size_t>(samples.count),
                 key_ + ": a split's labels do not match its count");
  splits_[slot(split)] = std::move(samples);
}

int64_t InMemoryDataset::read(Split split, int64_t index, std::span<float> out) const {
  const SplitSamples& samples = splits_[slot(split)];
  const int64_t numel = sample_shape_.numel();
  if (static_cast<int64_t>(out.size()) != numel)
    throw ShapeError(key_ + " read: expected an output of " + std::to_string(numel) + " floats for a sample of shape " +
                     sample_shape_.str() + ", got " + std::to_string(out.size()));
  SSLFLOW_ASSERT(index >= 0 && index < samples.count, key_ + ": sample " + std::to_string(index) +
                                                          " is outside a split of " + std::to_string(samples.count) +
                                                          " (is the dataset open?)");

  const auto begin = static_cast<size_t>(index * numel);
  if (!samples.floats.empty()) {
    std::copy_n(samples.floats.begin() + begin, numel, out.begin());
  } else {
    const std::span<const uint8_t> bytes =
        samples.mapped.empty() ? std::span<const uint8_t>(samples.bytes) : samples.mapped;
    std::transform(bytes.begin() + begin, bytes.begin() + begin + numel, out.begin(),
                   [](uint8_t v) { return float(v) / 255.0f; });
  }
  return samples.labels.empty() ? -1 : samples.labels[index];
}

}  // namespace sslflow::data
