#include <filesystem>

#include "datasets.hpp"
#include "idx_file.hpp"
#include "sslflow/error.hpp"

namespace sslflow::data {

namespace {

namespace fs = std::filesystem;

struct LoadedSplit {
  SplitSamples samples;
  int64_t rows = 0, cols = 0;
  std::string images_path;
};

std::string install_hint(const std::string& dir) {
  return dir == kFashionMnistDir
             ? "; install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist)"
             : "";
}

// `dir`/`name`, or `dir`/`name`.gz when only that exists.
std::string find_file(const std::string& dir, const std::string& name) {
  const fs::path plain = fs::path(dir) / name;
  if (fs::exists(plain)) return plain.string();
  const fs::path gzipped = fs::path(dir) / (name + ".gz");
  if (fs::exists(gzipped)) return gzipped.string();
  throw FormatError(plain.string(), "no such file (nor " + gzipped.filename().string() + ")" + install_hint(dir));
}

// The split whose files start with `prefix` ("train", "t10k").
LoadedSplit load_split(const std::string& dir, const std::string& prefix, int64_t num_classes) {
  LoadedSplit split;
  split.images_path = find_file(dir, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_file(dir, prefix + "-labels-idx1-ubyte");
  IdxArray images = read_idx(split.images_path, 3);
  IdxArray labels = read_idx(labels_path, 1);

  split.rows = images.dims[1];
  split.cols = images.dims[2];
  if (split.rows == 0 || split.cols == 0)
    throw FormatError(split.images_path,
                      "has images of " + std::to_string(split.rows) + " x " + std::to_string(split.cols) + " pixels");
  if (labels.dims[0] != images.dims[0])
    throw FormatError(labels_path, "has " + std::to_string(labels.dims[0]) + " labels for the " +
                                       std::to_string(images.dims[0]) + " images of " + split.images_path);
  for (size_t i = 0; i < labels.bytes.size(); ++i)
    if (labels.bytes[i] >= num_classes)
      throw FormatError(labels_path, "has label " + std::to_string(labels.bytes[i]) + " at index " + std::to_string(i) +
                                         ", outside [0, " + std::to_string(num_classes) +
                                         "); set num_classes to match the data");

  split.samples.count = images.dims[0];
  split.samples.bytes = std::move(images.bytes);
  split.samples.labels.assign(labels.bytes.begin(), labels.bytes.end());
  return split;
}

}  // namespace

Schema Idx::schema() {
  return {
      Option("path", kFashionMnistDir,
             "directory of the IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-...)"),
      Option("num_classes", 10, "number of classes; every label must be below it").range(1, 256),
  };
}

Idx::Idx(const Params& params)
    : InMemoryDataset("dataset/idx"),
      path_(params.get<std::string>("path")),
      num_classes_(params.get<int64_t>("num_classes")) {}

std::optional<DatasetShape> Idx::peek() const {
  try {
    const std::vector<int64_t> dims = read_idx_dims(find_file(path_, "train-images-idx3-ubyte"), 3);
    if (dims[1] == 0 || dims[2] == 0) return std::nullopt;  // open() refuses images without pixels
    return DatasetShape{dims[0], Shape{1, dims[1], dims[2]}};
  } catch (const Error&) {
    return std::nullopt;
  }
}

void Idx::open() {
  if (!fs::is_directory(path_)) throw FormatError(path_, "no such directory" + install_hint(path_));
  LoadedSplit train = load_split(path_, "train", num_classes_);
  LoadedSplit test = load_split(path_, "t10k", num_classes_);
  if (test.rows != train.rows || test.cols != train.cols)
    throw FormatError(test.images_path, "has images of " + std::to_string(test.rows) + " x " +
                                            std::to_string(test.cols) + " pixels, the training images " +
                                            std::to_string(train.rows) + " x " + std::to_string(train.cols));
  set_sample_shape(Shape{1, train.rows, train.cols});
  set_split(Split::Train, std::move(train.samples));
  set_split(Split::Test, std::move(test.samples));
}

}  // namespace sslflow::data
