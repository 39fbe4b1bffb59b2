// Dataset: labelled images for pretraining and evaluation (plugin kind "dataset").
//
// Lifecycle: constructed from its Params without touching the data (so `sslflow validate`
// stays cheap); open() once before training reads and checks it, throwing FormatError
// naming the file for anything malformed or missing; then read() for any sample.
// Threading: read() is const and called from many threads at once.
// Values: images as float in [0, 1], shape sample_shape() = [C, H, W].
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "sslflow/plugin.hpp"
#include "sslflow/tensor.hpp"

namespace sslflow {

enum class Split { Train, Test };

// What a dataset will hold once opened.
struct DatasetShape {
  int64_t train_size = 0;
  Shape sample_shape;
};

class SSLFLOW_EXPORT Dataset : public Plugin {
 public:
  static constexpr const char* kKind = "dataset";
  ~Dataset() override;

  virtual void open() = 0;
  // Before open(): what open() will find, from the options and at most the files' headers,
  // so that `sslflow validate` checks shapes without loading the data. Empty when the
  // dataset cannot tell that cheaply, or cannot read its headers (open() says why); the
  // default.
  virtual std::optional<DatasetShape> peek() const;
  virtual int64_t size(Split split) const = 0;
  virtual Shape sample_shape() const = 0;
  virtual int64_t num_classes() const = 0;  // 0 when the data carries no labels
  // Writes sample `index` of `split` into `out` (sample_shape().numel() floats) and returns
  // its label, or -1 without labels.
  virtual int64_t read(Split split, int64_t index, std::span<float> out) const = 0;
};

}  // namespace sslflow
