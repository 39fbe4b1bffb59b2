#include <algorithm>

#include "datasets.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/npy.hpp"

namespace sslflow::data {

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

std::string optional_path(const Params& params, const std::string& name) {
  return params.has(name) ? params.get<std::string>(name) : std::string();
}

struct LoadedImages {
  SplitSamples samples;
  Shape sample_shape;  // [C, H, W]
};

LoadedImages load_images(const std::string& path) {
  io::NpyArray array = io::read_npy(path);
  const std::vector<int64_t>& shape = array.shape;
  if (shape.size() != 3 && shape.size() != 4)
    throw FormatError(path, "has shape " + shape_text(shape) + ", expected images (N, H, W) or (N, C, H, W)");
  if (std::find(shape.begin() + 1, shape.end(), 0) != shape.end())
    throw FormatError(path, "has shape " + shape_text(shape) + ", with an empty image");

  LoadedImages images;
  images.sample_shape = shape.size() == 3 ? Shape{1, shape[1], shape[2]} : Shape{shape[1], shape[2], shape[3]};
  images.samples.count = shape[0];
  if (array.descr == "|u1") {
    images.samples.bytes = std::move(array.bytes);
  } else if (array.descr == "<f4") {
    const Tensor values = array.to_tensor();
    const auto bad =
        std::find_if(values.values().begin(), values.values().end(), [](float v) { return !(v >= 0.0f && v <= 1.0f); });
    if (bad != values.values().end())
      throw FormatError(path, "has value " + std::to_string(*bad) + " at element " +
                                  std::to_string(bad - values.values().begin()) +
                                  "; float32 images are read as they are and must lie in [0, 1]");
    images.samples.floats.assign(values.values().begin(), values.values().end());
  } else {
    throw FormatError(path, "has dtype '" + array.descr + "', expected images as uint8 ('|u1') or float32 ('<f4')");
  }
  return images;
}

std::vector<int64_t> load_labels(const std::string& path, int64_t count, const std::string& images_path) {
  const io::NpyArray array = io::read_npy(path);
  if (array.descr != "<i8" && array.descr != "<i4" && array.descr != "|u1")
    throw FormatError(path, "has dtype '" + array.descr + "', expected labels as int64, int32 or uint8");
  if (array.shape.size() != 1 || array.shape[0] != count)
    throw FormatError(path, "has shape " + shape_text(array.shape) + ", expected (" + std::to_string(count) +
                                ",): one label for each image of " + images_path);
  std::vector<int64_t> labels = array.to_int64();
  const auto negative = std::find_if(labels.begin(), labels.end(), [](int64_t label) { return label < 0; });
  if (negative != labels.end())
    throw FormatError(path, "has label " + std::to_string(*negative) + " at index " +
                                std::to_string(negative - labels.begin()) + "; labels must be 0 or more");
  return labels;
}

// A split's images and, when `labels_path` is set, its labels.
LoadedImages load_split(const std::string& images_path, const std::string& labels_path) {
  LoadedImages split = load_images(images_path);
  if (!labels_path.empty()) split.samples.labels = load_labels(labels_path, split.samples.count, images_path);
  return split;
}

int64_t classes_in(const std::vector<int64_t>& labels) {
  return labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
}

}  // namespace

Schema Npy::schema() {
  return {
      Option::required("train_images", OptionType::String,
                       ".npy training images, (N, H, W) or (N, C, H, W), uint8 or float32 in [0, 1]"),
      Option("train_labels", "", ".npy training labels (N), int64, int32 or uint8; unset for unlabelled data")
          .optional(),
      Option("test_images", "", ".npy test images shaped as the training images; unset for no test split").optional(),
      Option("test_labels", "", ".npy test labels (N), int64, int32 or uint8").optional(),
  };
}

Npy::Npy(const Params& params)
    : InMemoryDataset("dataset/npy"),
      train_images_(params.get<std::string>("train_images")),
      train_labels_(optional_path(params, "train_labels")),
      test_images_(optional_path(params, "test_images")),
      test_labels_(optional_path(params, "test_labels")) {
  if (!test_labels_.empty() && test_images_.empty())
    throw OptionError(params.owner() + ": option 'test_labels' is set without 'test_images'");
}

void Npy::open() {
  LoadedImages train = load_split(train_images_, train_labels_);
  LoadedImages test;
  test.sample_shape = train.sample_shape;
  if (!test_images_.empty()) {
    test = load_split(test_images_, test_labels_);
    if (!(test.sample_shape == train.sample_shape))
      throw FormatError(test_images_, "has images of shape " + test.sample_shape.str() + ", the training images " +
                                          train.sample_shape.str() + " (" + train_images_ + ")");
  }
  num_classes_ = std::max(classes_in(train.samples.labels), classes_in(test.samples.labels));
  set_sample_shape(train.sample_shape);
  set_split(Split::Train, std::move(train.samples));
  set_split(Split::Test, std::move(test.samples));
}

}  // namespace sslflow::data
