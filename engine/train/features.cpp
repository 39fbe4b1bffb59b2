#include "train/features.hpp"

#include <algorithm>
#include <cstring>

#include <tbb/parallel_for.h>

#include "sslflow/stop.hpp"

namespace sslflow::engine {

namespace {

// The first `limit` samples of `split`, all when 0.
int64_t samples_of(const Dataset& data, Split split, int64_t limit) {
  return limit > 0 ? std::min(limit, data.size(split)) : data.size(split);
}

}  // namespace

void extract_features(Encoder& encoder, const Dataset& data, Split split, int64_t limit, int64_t batch_size,
                      Tensor* features, std::vector<int64_t>* labels, const ExtractionProgress& progress) {
  const int64_t n = samples_of(data, split, limit);
  const Shape sample = data.sample_shape();
  const bool was_training = encoder.is_training();
  struct ModeRestore {
    Encoder& encoder;
    bool training;
    ~ModeRestore() { encoder.train(training); }
  } restore{encoder, was_training};
  encoder.eval();
  NoGrad no_grad;
  labels->assign(static_cast<size_t>(n), -1);
  for (int64_t begin = 0; begin < n; begin += batch_size) {
    check_stop();
    const int64_t count = std::min(batch_size, n - begin);
    std::vector<int64_t> dims{count};
    for (int64_t d : sample) dims.push_back(d);
    Tensor images{Shape(dims)};
    tbb::parallel_for(int64_t{0}, count, [&](int64_t b) {
      (*labels)[static_cast<size_t>(begin + b)] = data.read(split, begin + b, images.rows(b, b + 1).values());
    });
    Tensor out = encoder.forward(Var(images), Tensor()).features.value();
    if (!features->defined()) *features = Tensor(Shape{n, out.dim(1)});
    std::memcpy(features->data() + begin * out.dim(1), out.data(), sizeof(float) * out.numel());
    if (progress) progress(begin + count, n);
  }
}

namespace {

void read_pixels(const Dataset& data, Split split, int64_t limit, Tensor* features, std::vector<int64_t>* labels) {
  const int64_t n = samples_of(data, split, limit);
  const int64_t d = data.sample_shape().numel();
  *features = Tensor(Shape{n, d});
  labels->assign(static_cast<size_t>(n), -1);
  tbb::parallel_for(int64_t{0}, n, [&](int64_t i) {
    (*labels)[static_cast<size_t>(i)] = data.read(split, i, features->rows(i, i + 1).values());
  });
}

}  // namespace

FeatureSplits pixel_splits(const Dataset& data, int64_t max_train, int64_t max_test) {
  FeatureSplits f;
  read_pixels(data, Split::Train, max_train, &f.train, &f.train_labels);
  read_pixels(data, Split::Test, max_test, &f.test, &f.test_labels);
  f.num_classes = data.num_classes();
  return f;
}

FeatureSplits extract_splits(Encoder& encoder, const Dataset& data, int64_t max_train, int64_t max_test,
                             int64_t batch_size, const ExtractionProgress& progress) {
  const int64_t train = samples_of(data, Split::Train, max_train);
  const int64_t total = train + samples_of(data, Split::Test, max_test);
  auto from = [&](int64_t offset) -> ExtractionProgress {
    if (!progress) return {};
    return [&progress, offset, total](int64_t done, int64_t) { progress(offset + done, total); };
  };
  FeatureSplits f;
  extract_features(encoder, data, Split::Train, max_train, batch_size, &f.train, &f.train_labels, from(0));
  extract_features(encoder, data, Split::Test, max_test, batch_size, &f.test, &f.test_labels, from(train));
  f.num_classes = data.num_classes();
  return f;
}

}  // namespace sslflow::engine
