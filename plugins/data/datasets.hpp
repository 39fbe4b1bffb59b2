// The shipped datasets (kind dataset).
//
//   idx           MNIST / Fashion-MNIST IDX files, gzipped or not, from one directory
//   npy           a user's own images and labels as .npy arrays
//   synthetic     generated class prototypes with shifts, contrast and noise
//   cifar         the binary versions of CIFAR-10 and CIFAR-100
//   image_folder  PNG and JPEG files in torchvision's ImageFolder layout
//
// Each is constructed from its Params without touching a file; open() loads (or
// generates, or maps from image_folder's cache) both splits into memory, and read()
// answers from there, from any number of threads (see InMemoryDataset).
#pragma once

#include <cstdint>
#include <string>

#include "in_memory_dataset.hpp"
#include "sslflow/params.hpp"

namespace sslflow::data {

// Where the Debian package dataset-fashion-mnist installs the data.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz]
// and t10k-labels-idx1-ubyte[.gz] in `path`; images [1, 28, 28] (any size the files
// declare), kept as bytes.
class Idx final : public InMemoryDataset {
 public:
  static Schema schema();
  explicit Idx(const Params& params);
  std::optional<DatasetShape> peek() const override;  // from the training images' header
  void open() override;
  int64_t num_classes() const override { return num_classes_; }

 private:
  std::string path_;
  int64_t num_classes_;
};

// The most classes a labelled .npy dataset may have; a larger label is taken as corrupt.
inline constexpr int64_t kMaxClasses = 65536;

// Images (N, H, W) or (N, C, H, W) as uint8 (read as value / 255) or float32 in [0, 1],
// or (N, H, W, C) with layout nhwc; labels (N) as int64, int32 or uint8, each in
// [0, min(kMaxClasses, labelled samples of both splits)). The test split and both label
// files are optional; num_classes() is one more than the largest label, 0 without labels.
class Npy final : public InMemoryDataset {
 public:
  static Schema schema();
  explicit Npy(const Params& params);
  static void check(const Params& params);  // test_labels needs test_images
  std::optional<DatasetShape> peek() const override;  // from the training images' header
  void open() override;
  int64_t num_classes() const override { return num_classes_; }

 private:
  std::string train_images_, train_labels_, test_images_, test_labels_;  // "" when unset
  std::string layout_;                                                   // "nchw", "nhwc" or "" when unset
  int64_t num_classes_ = 0;
};

// Each class is a fixed smooth pattern of Gaussian blobs drawn from Rng(seed,
// "synthetic.class", class); a sample is its class's blobs, shifted together by a couple
// of pixels and each jittered, at a random contrast and random brightness per blob, with
// two distractor blobs at random places, plus Gaussian noise, clamped to [0, 1]. Nearest
// centroid on raw pixels scores about 0.8 on the defaults (chance: 0.1). Sample i of a
// split depends on (seed, split, i) only. Generated as floats in open().
class Synthetic final : public InMemoryDataset {
 public:
  static Schema schema();
  explicit Synthetic(const Params& params);
  static void check(const Params& params);  // the images fit in memory
  std::optional<DatasetShape> peek() const override;
  void open() override;
  int64_t num_classes() const override { return num_classes_; }

 private:
  int64_t train_size_, test_size_, num_classes_, image_size_, channels_;
  uint64_t seed_;
  float noise_;
};

// The binary versions of CIFAR-10 (data_batch_1.bin .. data_batch_5.bin and
// test_batch.bin: records of a label byte and 3072 pixel bytes) and CIFAR-100 (train.bin
// and test.bin: a coarse label byte, a fine label byte and 3072 pixel bytes) in `path`;
// images [3, 32, 32], channel-planar as stored, kept as bytes. Which of the two is
// told by the files present unless `variant` says. Every file's size must be a whole
// number of records and every label below its variant's number of classes.
class Cifar final : public InMemoryDataset {
 public:
  static Schema schema();
  explicit Cifar(const Params& params);
  static void check(const Params& params);            // labels: coarse only with CIFAR-100
  std::optional<DatasetShape> peek() const override;  // from the files' sizes
  void open() override;
  int64_t num_classes() const override { return num_classes_; }

 private:
  std::string path_, variant_;  // variant: "auto", "cifar10" or "cifar100"
  bool coarse_labels_;
  int64_t num_classes_ = 0;
};

// Images in torchvision's ImageFolder layout (see image_folder_layout.hpp), decoded from
// PNG (libpng) and JPEG (libjpeg-turbo, EXIF orientation applied) in parallel with
// oneTBB into bytes (N, C, H, W), as RGB or as grayscale; resized and centre-cropped to
// `size` as torchvision's Resize(size) and CenterCrop(size) do on PIL images (see
// resize.hpp). Without `size` every image must have the same width and height. With
// `cache`, the decoded bytes are kept in a file beside the images (image_cache.hpp).
class ImageFolder final : public InMemoryDataset {
 public:
  static Schema schema();
  explicit ImageFolder(const Params& params);
  static void check(const Params& params);            // channels 1 or 3
  std::optional<DatasetShape> peek() const override;  // from the listing and one image's header
  void open() override;
  int64_t num_classes() const override { return num_classes_; }

 private:
  std::string sample_options() const;  // the options that shape the samples, as text
  std::string cache_path() const;
  // Saves the decoded splits for the next run; a cache that cannot be written is a warning.
  void write_cache(const std::string& key, const Shape& shape, const SplitSamples& train,
                   const SplitSamples& test) const;

  std::string path_;
  int64_t size_;  // 0: as stored
  int64_t channels_;
  double test_ratio_;
  uint64_t seed_;
  bool skip_corrupt_;
  bool cache_;
  int64_t num_classes_ = 0;
};

}  // namespace sslflow::data
