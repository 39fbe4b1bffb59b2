#include <algorithm>
#include <cmath>
#include <vector>

#include "datasets.hpp"
#include "sslflow/memory.hpp"
#include "sslflow/random.hpp"

namespace sslflow::data {

namespace {

constexpr int kBlobsPerClass = 3;
constexpr int kDistractors = 2;  // blobs at random places in every sample
constexpr float kJitter = 1.5f;  // pixels each class blob moves on its own

// The spread of one kind of blob, as fractions of the image size (margin: how far the
// centre stays from the edges) and brightness ranges.
struct BlobKind {
  float margin, sigma_low, sigma_high, amplitude_low, amplitude_high;
};
constexpr BlobKind kClassBlob{0.2f, 0.07f, 0.14f, 0.5f, 1.0f};
constexpr BlobKind kDistractorBlob{0.1f, 0.06f, 0.12f, 0.2f, 0.8f};

// A Gaussian blob: centre and width in pixels, peak brightness in each channel.
struct Blob {
  float x, y, sigma;
  std::vector<float> amplitude;  // (C)
};

Blob random_blob(Rng& rng, const BlobKind& kind, float size, int64_t channels) {
  Blob blob{rng.uniform(kind.margin, 1.0f - kind.margin) * size,
            rng.uniform(kind.margin, 1.0f - kind.margin) * size,
            rng.uniform(kind.sigma_low, kind.sigma_high) * size,
            {}};
  for (int64_t c = 0; c < channels; ++c) blob.amplitude.push_back(rng.uniform(kind.amplitude_low, kind.amplitude_high));
  return blob;
}

// Adds `scale` times `blob`, moved by (dx, dy), to `image` (C, S, S).
void draw(const Blob& blob, float dx, float dy, float scale, int64_t size, float* image) {
  std::vector<float> gx(size), gy(size);  // (S) each: the blob is separable
  const float inv = 1.0f / (2.0f * blob.sigma * blob.sigma);
  for (int64_t p = 0; p < size; ++p) {
    const float ux = float(p) - (blob.x + dx), uy = float(p) - (blob.y + dy);
    gx[p] = std::exp(-ux * ux * inv);
    gy[p] = std::exp(-uy * uy * inv);
  }
  for (size_t c = 0; c < blob.amplitude.size(); ++c) {
    const float a = scale * blob.amplitude[c];
    float* plane = image + int64_t(c) * size * size;
    for (int64_t y = 0; y < size; ++y)
      for (int64_t x = 0; x < size; ++x) plane[y * size + x] += a * gy[y] * gx[x];
  }
}

}  // namespace

Schema Synthetic::schema() {
  return {
      Option("train_size", 2048, "number of training samples").range(1, 10'000'000),
      Option("test_size", 512, "number of test samples").range(0, 10'000'000),
      Option("num_classes", 10, "number of classes, each with its own blob pattern").range(1, 1000),
      Option("image_size", 28, "height and width of the square images, in pixels").range(8, 512),
      Option("channels", 1, "channels per image; each blob has its own brightness in each").range(1, 16),
      Option("seed", 0, "seed of the class patterns and of every sample").min(0),
      Option("noise", 0.1, "standard deviation of the Gaussian pixel noise").range(0.0, 1.0),
  };
}

Synthetic::Synthetic(const Params& params)
    : InMemoryDataset("dataset/synthetic"),
      train_size_(params.get<int64_t>("train_size")),
      test_size_(params.get<int64_t>("test_size")),
      num_classes_(params.get<int64_t>("num_classes")),
      image_size_(params.get<int64_t>("image_size")),
      channels_(params.get<int64_t>("channels")),
      seed_(static_cast<uint64_t>(params.get<int64_t>("seed"))),
      noise_(params.get<float>("noise")) {}

void Synthetic::check(const Params& params) {
  const auto images = params.get<int64_t>("train_size") + params.get<int64_t>("test_size");
  const auto channels = params.get<int64_t>("channels"), size = params.get<int64_t>("image_size");
  const double needed = double(images) * double(channels * size * size) * sizeof(float);
  const double memory = double(physical_memory_bytes());
  if (needed > memory)
    throw OptionError(std::to_string(images) + " images of " + std::to_string(channels) + " x " + std::to_string(size) +
                      " x " + std::to_string(size) + " floats need " + gib_text(needed) + ", more than the " +
                      gib_text(memory) + " of memory this machine has");
}

std::optional<DatasetShape> Synthetic::peek() const {
  return DatasetShape{train_size_, Shape{channels_, image_size_, image_size_}};
}

void Synthetic::open() {
  const auto size = float(image_size_);
  std::vector<std::vector<Blob>> classes(num_classes_);
  for (int64_t k = 0; k < num_classes_; ++k) {
    Rng rng(seed_, "synthetic.class", uint64_t(k));
    for (int b = 0; b < kBlobsPerClass; ++b) classes[k].push_back(random_blob(rng, kClassBlob, size, channels_));
  }

  const Shape shape{channels_, image_size_, image_size_};
  const int64_t numel = shape.numel();
  const float max_shift = std::max(1.0f, size / 14.0f);  // 2 pixels at 28 x 28
  set_sample_shape(shape);
  for (Split split : {Split::Train, Split::Test}) {
    SplitSamples samples;
    samples.count = split == Split::Train ? train_size_ : test_size_;
    samples.floats.assign(size_t(samples.count * numel), 0.0f);  // (N, C, S, S)
    samples.labels.resize(size_t(samples.count));
    for (int64_t i = 0; i < samples.count; ++i) {
      Rng rng(seed_, split == Split::Train ? "synthetic.train" : "synthetic.test", uint64_t(i));
      const int64_t label = int64_t(rng.below(uint64_t(num_classes_)));
      float* image = samples.floats.data() + i * numel;
      const float dx = rng.uniform(-max_shift, max_shift), dy = rng.uniform(-max_shift, max_shift);
      const float contrast = rng.uniform(0.6f, 1.0f);
      for (const Blob& blob : classes[label])
        draw(blob, dx + rng.uniform(-kJitter, kJitter), dy + rng.uniform(-kJitter, kJitter),
             contrast * rng.uniform(0.5f, 1.0f), image_size_, image);
      for (int d = 0; d < kDistractors; ++d)
        draw(random_blob(rng, kDistractorBlob, size, channels_), 0.0f, 0.0f, 1.0f, image_size_, image);
      for (int64_t j = 0; j < numel; ++j) image[j] = std::clamp(image[j] + noise_ * rng.normal(), 0.0f, 1.0f);
      samples.labels[i] = label;
    }
    set_split(split, std::move(samples));
  }
}

}  // namespace sslflow::data
