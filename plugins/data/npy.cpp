#include <algorithm>

#include "channels_last.hpp"
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

std::string channels_last_hint(const std::string& path, const std::vector<int64_t>& shape) {
  return "has shape " + shape_text(shape) + ", which looks like (N, H, W, C) with C = " + std::to_string(shape[3]) +
         ", while images are read as (N, C, H, W): " + std::to_string(shape[1]) + " channels of " +
         std::to_string(shape[2]) + " x " + std::to_string(shape[3]) +
         " pixels. To convert it when loading, set layout: nhwc; or transpose the file once with NumPy: np.save('" +
         path + "', np.load('" + path + "').transpose(0, 3, 1, 2)); layout: nchw reads it as it is";
}

// The pixels of `images` in (N, C, H, W) order, converted from (N, H, W, C) = `shape`.
void make_channels_first(SplitSamples& images, const std::vector<int64_t>& shape) {
  if (images.bytes.empty())
    images.floats = to_channels_first(images.floats, shape);
  else
    images.bytes = to_channels_first(images.bytes, shape);
}

// The per-sample shape [C, H, W] of the images of file `path`, whose array has `shape`.
// `layout` is "nchw", "nhwc", or empty when unset (nchw, refusing a likely (N, H, W, C)).
Shape image_shape(const std::string& path, const std::vector<int64_t>& shape, const std::string& layout) {
  if (shape.size() != 3 && shape.size() != 4)
    throw FormatError(path, "has shape " + shape_text(shape) + ", expected images (N, H, W) or (N, C, H, W)");
  if (shape[0] == 0) throw FormatError(path, "has shape " + shape_text(shape) + ", with no images");
  if (std::find(shape.begin() + 1, shape.end(), 0) != shape.end())
    throw FormatError(path, "has shape " + shape_text(shape) + ", with an empty image");
  if (layout.empty() && looks_channels_last(shape)) throw FormatError(path, channels_last_hint(path, shape));
  return shape.size() == 3        ? Shape{1, shape[1], shape[2]}
         : layout == "nhwc" ? Shape{shape[3], shape[1], shape[2]}
                            : Shape{shape[1], shape[2], shape[3]};
}

LoadedImages load_images(const std::string& path, const std::string& layout) {
  io::NpyArray array = io::read_npy(path);
  const std::vector<int64_t>& shape = array.shape;
  LoadedImages images;
  images.sample_shape = image_shape(path, shape, layout);
  const bool channels_last = layout == "nhwc" && shape.size() == 4;
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
  if (channels_last) make_channels_first(images.samples, shape);
  return images;
}

std::vector<int64_t> load_labels(const std::string& path, int64_t count, const std::string& images_path) {
  const io::NpyArray array = io::read_npy(path);
  if (array.descr != "<i8" && array.descr != "<i4" && array.descr != "|u1")
    throw FormatError(path, "has dtype '" + array.descr + "', expected labels as int64, int32 or uint8");
  if (array.shape.size() != 1 || array.shape[0] != count)
    throw FormatError(path, "has shape " + shape_text(array.shape) + ", expected (" + std::to_string(count) +
                                ",): one label for each image of " + images_path);
  return array.to_int64();
}

// Checks that every label of `path` is a class index in [0, min(kMaxClasses, labelled)),
// where `labelled` counts the labelled samples of both splits: a dataset cannot have more
// classes than labelled samples, and a label beyond that is corrupt, not a class.
void check_labels(const std::string& path, const std::vector<int64_t>& labels, int64_t labelled) {
  const int64_t bound = std::min(kMaxClasses, labelled);
  const auto bad = std::find_if(labels.begin(), labels.end(), [&](int64_t label) { return label < 0 || label >= bound; });
  if (bad == labels.end()) return;
  const std::string why = bound == kMaxClasses
                              ? "sslflow reads at most " + std::to_string(kMaxClasses) + " classes"
                              : "labels number the classes from 0, and there cannot be more classes than the " +
                                    std::to_string(labelled) + " labelled samples";
  throw FormatError(path, "has label " + std::to_string(*bad) + " at index " + std::to_string(bad - labels.begin()) +
                              ", outside [0, " + std::to_string(bound) + "): " + why);
}

// A split's images and, when `labels_path` is set, its labels.
LoadedImages load_split(const std::string& images_path, const std::string& labels_path, const std::string& layout) {
  LoadedImages split = load_images(images_path, layout);
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
      Option("layout", "",
             "order of 4-D images: nchw (N, C, H, W) or nhwc (N, H, W, C), converted; unset: nchw, refusing "
             "a shape whose last dimension of 1, 3 or 4 follows a larger one")
          .one_of({"nchw", "nhwc"})
          .optional(),
  };
}

Npy::Npy(const Params& params)
    : InMemoryDataset("dataset/npy"),
      train_images_(params.get<std::string>("train_images")),
      train_labels_(optional_path(params, "train_labels")),
      test_images_(optional_path(params, "test_images")),
      test_labels_(optional_path(params, "test_labels")),
      layout_(optional_path(params, "layout")) {}

void Npy::check(const Params& params) {
  if (!optional_path(params, "test_labels").empty() && optional_path(params, "test_images").empty())
    throw OptionError("option 'test_labels' is set without 'test_images'");
}

std::optional<DatasetShape> Npy::peek() const {
  try {
    const io::NpyHeader header = io::read_npy_header(train_images_);
    return DatasetShape{header.shape[0], image_shape(train_images_, header.shape, layout_)};
  } catch (const Error&) {
    return std::nullopt;  // open() says what is wrong with the file
  }
}

void Npy::open() {
  LoadedImages train = load_split(train_images_, train_labels_, layout_);
  LoadedImages test;
  test.sample_shape = train.sample_shape;
  if (!test_images_.empty()) {
    test = load_split(test_images_, test_labels_, layout_);
    if (!(test.sample_shape == train.sample_shape))
      throw FormatError(test_images_, "has images of shape " + test.sample_shape.str() + ", the training images " +
                                          train.sample_shape.str() + " (" + train_images_ + ")");
  }
  const auto labelled = static_cast<int64_t>(train.samples.labels.size() + test.samples.labels.size());
  check_labels(train_labels_, train.samples.labels, labelled);
  check_labels(test_labels_, test.samples.labels, labelled);
  num_classes_ = std::max(classes_in(train.samples.labels), classes_in(test.samples.labels));
  set_sample_shape(train.sample_shape);
  set_split(Split::Train, std::move(train.samples));
  set_split(Split::Test, std::move(test.samples));
}

}  // namespace sslflow::data
