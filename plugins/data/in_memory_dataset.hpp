// InMemoryDataset: the part every shipped dataset shares, both splits held in memory.
//
// A subclass's open() loads or generates each split and hands it over with set_split();
// size(), sample_shape() and read() then answer from memory. Pixels are kept as bytes
// (read as value / 255, a quarter of the memory of floats), or as floats in [0, 1], or as
// bytes held elsewhere (a memory-mapped cache file) that the split keeps alive.
// Threading: read() only reads the stored splits, so any number of threads may call it
// once open() has returned.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sslflow/interfaces/dataset.hpp"

namespace sslflow::data {

// One split's samples, C order: pixels (N, C, H, W), labels (N) or empty without labels.
// Exactly one of bytes, floats and mapped holds the pixels (all empty for no samples).
struct SplitSamples {
  std::vector<uint8_t> bytes;  // (N, C, H, W) when the pixels are bytes, else empty
  std::vector<float> floats;   // (N, C, H, W) when the pixels are floats, else empty
  std::span<const uint8_t> mapped;    // (N, C, H, W) bytes that `keeper` holds, else empty
  std::shared_ptr<const void> keeper;  // owns what `mapped` points into
  std::vector<int64_t> labels;
  int64_t count = 0;
};

class InMemoryDataset : public Dataset {
 public:
  int64_t size(Split split) const override;
  Shape sample_shape() const override { return sample_shape_; }
  int64_t read(Split split, int64_t index, std::span<float> out) const override;

 protected:
  // `key` ("dataset/idx") names the dataset in errors.
  explicit InMemoryDataset(std::string key) : key_(std::move(key)) {}

  void set_sample_shape(Shape shape) { sample_shape_ = shape; }
  // Takes `samples` as `split`; their pixel count must be count * sample_shape().numel().
  void set_split(Split split, SplitSamples samples);

 private:
  std::string key_;
  Shape sample_shape_;
  std::array<SplitSamples, 2> splits_;  // indexed by Split
};

}  // namespace sslflow::data
