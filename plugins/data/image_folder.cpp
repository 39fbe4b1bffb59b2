#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <optional>
#include <sstream>
#include <tuple>

#include "channels_last.hpp"
#include "datasets.hpp"
#include "image_cache.hpp"
#include "image_file.hpp"
#include "image_folder_layout.hpp"
#include "resize.hpp"
#include "sslflow/error.hpp"
#include "sslflow/random.hpp"
#include "sslflow/stop.hpp"

namespace sslflow::data {

namespace {

constexpr const char* kKey = "dataset/image_folder";
constexpr int64_t kImagesPerWorker = 8;  // per chunk decoded between stop checks

// How every image is turned into a sample.
struct SampleFormat {
  int64_t size;  // 0: as stored
  int64_t channels;
};

// One image's pixels, (C, H, W), as stored in the split.
struct LoadedImage {
  ImageSize size;
  std::vector<uint8_t> pixels;
};

LoadedImage load_image(const std::string& path, const SampleFormat& format) {
  DecodedImage image = decode_image_file(path);
  if (format.channels == 1) image = to_grayscale(image);
  if (format.size > 0) image = resize_and_center_crop(image, format.size);
  return {{image.width, image.height}, to_channels_first(image.pixels, {1, image.height, image.width, image.channels})};
}

std::string size_text(ImageSize size) { return std::to_string(size.width) + " x " + std::to_string(size.height); }

// What became of one file: its pixels, or why they cannot be used.
struct Outcome {
  std::optional<LoadedImage> image;
  std::optional<FormatError> error;
};

// Files [begin, end) of `list`, decoded in parallel.
std::vector<Outcome> decode_chunk(const ImageList& list, int64_t begin, int64_t end, const SampleFormat& format) {
  std::vector<Outcome> outcomes(static_cast<size_t>(end - begin));
  tbb::parallel_for(begin, end, [&](int64_t i) {
    try {
      outcomes[i - begin].image = load_image(list.files[i], format);
    } catch (const FormatError& e) {
      outcomes[i - begin].error = e;
    }
  });
  return outcomes;
}

// Decodes the images of each split, a chunk at a time with a stop check between chunks.
// Every image must have `shape`'s size (set from the size option), or without one the
// size of the first image decoded, which then sets `shape`. A file that cannot be used is an error, or with
// `skip_corrupt` a warning on stderr, and left out.
class SplitDecoder {
 public:
  SplitDecoder(const SampleFormat& format, bool skip_corrupt, std::optional<Shape>& shape)
      : format_(format), skip_corrupt_(skip_corrupt), shape_(shape) {}

  SplitSamples decode(const ImageList& list) {
    SplitSamples samples;
    const auto count = static_cast<int64_t>(list.files.size());
    const int64_t chunk = kImagesPerWorker * tbb::this_task_arena::max_concurrency();
    for (int64_t begin = 0; begin < count; begin += chunk) {
      check_stop();
      const int64_t end = std::min(count, begin + chunk);
      std::vector<Outcome> outcomes = decode_chunk(list, begin, end, format_);
      for (int64_t i = begin; i < end; ++i) {
        Outcome& outcome = outcomes[i - begin];
        if (outcome.image) check_size(*outcome.image, list.files[i], outcome);
        if (outcome.error) {
          reject(*outcome.error);
          continue;
        }
        if (samples.bytes.empty()) samples.bytes.reserve(static_cast<size_t>(count * shape_->numel()));
        samples.bytes.insert(samples.bytes.end(), outcome.image->pixels.begin(), outcome.image->pixels.end());
        samples.labels.push_back(list.labels[i]);
        ++samples.count;
      }
    }
    return samples;
  }

  int64_t skipped() const { return skipped_; }

 private:
  // Sets `outcome`'s error unless `image` has the split's size.
  void check_size(const LoadedImage& image, const std::string& path, Outcome& outcome) {
    if (!shape_) {
      shape_ = Shape{format_.channels, image.size.height, image.size.width};
      first_path_ = path;
    }
    const ImageSize expected{(*shape_)[2], (*shape_)[1]};
    if (image.size.width == expected.width && image.size.height == expected.height) return;
    outcome.error = FormatError(path, "is " + size_text(image.size) + " pixels, while " + first_path_ + " is " +
                                          size_text(expected) + "; set size to resize every image to one size");
  }

  void reject(const FormatError& error) {
    if (!skip_corrupt_) throw error;
    std::cerr << kKey << ": skipping " << error.what() << "\n";
    ++skipped_;
  }

  SampleFormat format_;
  bool skip_corrupt_;
  std::optional<Shape>& shape_;
  std::string first_path_;  // the image that set shape_ (never needed with the size option: every image fits)
  int64_t skipped_ = 0;
};

// `list` split by a seeded shuffle into (train, test), `ratio` of the images (rounded)
// in test, each side kept in listing order.
std::pair<ImageList, ImageList> split_by_ratio(const ImageList& list, double ratio, uint64_t seed) {
  const auto count = static_cast<int64_t>(list.files.size());
  std::vector<int64_t> order(static_cast<size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed, "image_folder.split");
  for (int64_t i = count - 1; i > 0; --i) std::swap(order[i], order[rng.below(uint64_t(i + 1))]);  // Fisher-Yates
  const auto test_count = static_cast<int64_t>(std::llround(double(count) * ratio));
  std::vector<bool> in_test(static_cast<size_t>(count), false);
  for (int64_t i = 0; i < test_count; ++i) in_test[order[i]] = true;
  std::pair<ImageList, ImageList> split;
  for (int64_t i = 0; i < count; ++i) {
    ImageList& side = in_test[i] ? split.second : split.first;
    side.files.push_back(list.files[i]);
    side.labels.push_back(list.labels[i]);
  }
  return split;
}

}  // namespace

Schema ImageFolder::schema() {
  return {
      Option::required("path", OptionType::String,
                       "folder of images: train/<class>/ and test/<class>/ (or val/), or <class>/ folders, or images "
                       "without classes (unlabelled)"),
      Option("size", 0,
             "resize the shorter side to size (bilinear, antialiased when shrinking: PIL's resize, which "
             "torchvision's Resize calls on PIL images), then crop the centre size x size; unset: as stored, "
             "every image the same size")
          .min(1)
          .optional(),
      Option("channels", 3,
             "3: RGB (grayscale, palette and RGBA converted, alpha dropped); 1: grayscale, as PIL's "
             "convert('L'), before resizing")
          .range(1, 3),
      Option("test_ratio", 0.0,
             "without a test or val folder: the fraction of images drawn at random as the test "
             "split; 0: no test split")
          .range(0.0, 0.99),
      Option("seed", 0, "seed of the test_ratio draw").min(0),
      Option("skip_corrupt", false,
             "leave out files that cannot be decoded, with a warning for each, instead of failing"),
      Option("cache", false,
             "keep the decoded pixels in a file in path (.sslflow-image_folder-<options hash>.cache), memory-mapped "
             "by later runs until an image's size or modification time, the listing or these options change"),
  };
}

ImageFolder::ImageFolder(const Params& params)
    : InMemoryDataset(kKey),
      path_(params.get<std::string>("path")),
      size_(params.has("size") ? params.get<int64_t>("size") : 0),
      channels_(params.get<int64_t>("channels")),
      test_ratio_(params.get<double>("test_ratio")),
      seed_(static_cast<uint64_t>(params.get<int64_t>("seed"))),
      skip_corrupt_(params.get<bool>("skip_corrupt")),
      cache_(params.get<bool>("cache")) {}

void ImageFolder::check(const Params& params) {
  if (params.get<int64_t>("channels") == 2)
    throw OptionError("channels must be 3 (RGB) or 1 (grayscale), got 2", "channels", OptionError::Part::Value);
}

std::optional<DatasetShape> ImageFolder::peek() const {
  try {
    const ImageFolderLayout layout = scan_image_folder(path_);
    const auto listed = static_cast<int64_t>(layout.train.files.size());
    const int64_t train_size = layout.test_dir.empty() ? listed - std::llround(double(listed) * test_ratio_) : listed;
    if (size_ > 0) return DatasetShape{train_size, Shape{channels_, size_, size_}};
    const ImageSize first = read_image_size(layout.train.files[0]);
    return DatasetShape{train_size, Shape{channels_, first.height, first.width}};
  } catch (const Error&) {
    return std::nullopt;  // open() says what is wrong
  }
}

void ImageFolder::open() {
  ImageFolderLayout layout = scan_image_folder(path_);
  if (!layout.test_dir.empty() && test_ratio_ > 0.0)
    throw OptionError("test_ratio is set, but " + layout.test_dir + " is the test split; unset test_ratio",
                      "test_ratio", OptionError::Part::Value);
  if (test_ratio_ > 0.0) {
    std::tie(layout.train, layout.test) = split_by_ratio(layout.train, test_ratio_, seed_);
    if (layout.train.files.empty())
      throw OptionError("test_ratio " + (std::ostringstream() << test_ratio_).str() + " of the " +
                            std::to_string(layout.test.files.size()) + " images in " + path_ +
                            " leaves no training image",
                        "test_ratio", OptionError::Part::Value);
  }

  num_classes_ = static_cast<int64_t>(layout.classes.size());
  const std::string cache_key = cache_ ? image_cache_key(sample_options(), layout.train, layout.test) : "";
  if (cache_) {
    if (std::optional<CachedSplits> cached = load_image_cache(cache_path(), cache_key)) {
      set_sample_shape(cached->sample_shape);
      set_split(Split::Train, std::move(cached->train));
      set_split(Split::Test, std::move(cached->test));
      return;
    }
  }

  std::optional<Shape> shape;
  if (size_ > 0) shape = Shape{channels_, size_, size_};
  SplitDecoder decoder({size_, channels_}, skip_corrupt_, shape);
  SplitSamples train = decoder.decode(layout.train);
  SplitSamples test = decoder.decode(layout.test);
  if (decoder.skipped() > 0)
    std::cerr << kKey << ": skipped " << decoder.skipped() << " of "
              << layout.train.files.size() + layout.test.files.size() << " images in " << path_ << "\n";
  if (train.count == 0) throw FormatError(layout.train_dir, "has no image that could be decoded");

  if (cache_) write_cache(cache_key, *shape, train, test);
  set_sample_shape(*shape);
  set_split(Split::Train, std::move(train));
  set_split(Split::Test, std::move(test));
}

std::string ImageFolder::sample_options() const {
  return "size " + std::to_string(size_) + ", channels " + std::to_string(channels_) + ", test_ratio " +
         std::to_string(test_ratio_) + ", seed " + std::to_string(seed_) + ", skip_corrupt " +
         std::to_string(skip_corrupt_);
}

std::string ImageFolder::cache_path() const {
  char hash[17];
  std::snprintf(hash, sizeof(hash), "%016llx", static_cast<unsigned long long>(hash_name(sample_options())));
  return (std::filesystem::path(path_) / (".sslflow-image_folder-" + std::string(hash) + ".cache")).string();
}

void ImageFolder::write_cache(const std::string& key, const Shape& shape, const SplitSamples& train,
                              const SplitSamples& test) const {
  try {
    save_image_cache(cache_path(), key, shape, train, test);
  } catch (const FormatError& e) {
    std::cerr << kKey << ": no cache kept, the images will be decoded again next time: " << e.what() << "\n";
  }
}

}  // namespace sslflow::data
