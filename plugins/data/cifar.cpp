#include <cstdint>
#include <filesystem>
#include <fstream>
#include <vector>

#include "datasets.hpp"
#include "sslflow/error.hpp"
#include "sslflow/stop.hpp"

namespace sslflow::data {

namespace {

namespace fs = std::filesystem;

constexpr int64_t kImageBytes = 3 * 32 * 32;  // channel-planar: 1024 red, 1024 green, 1024 blue

// The files and record layout of one variant.
struct CifarLayout {
  const char* name;  // "CIFAR-10"
  std::vector<std::string> train_files, test_files;
  int64_t label_bytes;  // before the pixels of a record: 1, or 2 (coarse, fine)
  int64_t record_bytes() const { return label_bytes + kImageBytes; }
};

const CifarLayout kCifar10{
    "CIFAR-10",
    {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"},
    {"test_batch.bin"},
    1};
const CifarLayout kCifar100{"CIFAR-100", {"train.bin"}, {"test.bin"}, 2};

// The layout `variant` names, or for "auto" the one whose first training file is in `dir`.
const CifarLayout& find_layout(const std::string& dir, const std::string& variant) {
  if (variant == "cifar10") return kCifar10;
  if (variant == "cifar100") return kCifar100;
  if (!fs::is_directory(dir)) throw FormatError(dir, "no such directory");
  const bool has10 = fs::exists(fs::path(dir) / kCifar10.train_files[0]);
  const bool has100 = fs::exists(fs::path(dir) / kCifar100.train_files[0]);
  if (has10 && has100)
    throw FormatError(dir,
                      "holds both CIFAR-10 (data_batch_1.bin) and CIFAR-100 (train.bin) files; set variant to "
                      "cifar10 or cifar100");
  if (!has10 && !has100)
    throw FormatError(dir,
                      "holds neither CIFAR-10's data_batch_1.bin nor CIFAR-100's train.bin (the binary "
                      "versions, cifar-10-binary.tar.gz or cifar-100-binary.tar.gz, unpacked)");
  return has10 ? kCifar10 : kCifar100;
}

// The number of records in `path`, from its size.
int64_t count_records(const fs::path& path, const CifarLayout& layout) {
  std::error_code error;
  const auto bytes = static_cast<int64_t>(fs::file_size(path, error));
  if (error)
    throw FormatError(path.string(), "cannot be read (" + error.message() + "); expected a " + layout.name +
                                         " binary file of records of " + std::to_string(layout.record_bytes()) +
                                         " bytes");
  if (bytes == 0 || bytes % layout.record_bytes() != 0)
    throw FormatError(path.string(), "has " + std::to_string(bytes) + " bytes, expected a whole number of " +
                                         layout.name + " records of " + std::to_string(layout.record_bytes()) +
                                         " bytes (" + std::to_string(layout.label_bytes) + " label + " +
                                         std::to_string(kImageBytes) + " pixel bytes)");
  return bytes / layout.record_bytes();
}

std::vector<uint8_t> read_file(const fs::path& path, int64_t bytes) {
  std::vector<uint8_t> data(static_cast<size_t>(bytes));
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(bytes));
  if (!in || in.gcount() != bytes) throw FormatError(path.string(), "could not be read to its end");
  return data;
}

// Appends the records of `files` in `dir` to `samples`, taking the label at byte
// `label_offset` of each record and checking it is below `num_classes`.
void load_files(const std::string& dir, const std::vector<std::string>& files, const CifarLayout& layout,
                int64_t label_offset, int64_t num_classes, SplitSamples& samples) {
  for (const std::string& name : files) {
    check_stop();
    const fs::path path = fs::path(dir) / name;
    const int64_t records = count_records(path, layout);
    const std::vector<uint8_t> data = read_file(path, records * layout.record_bytes());
    for (int64_t r = 0; r < records; ++r) {
      const uint8_t* record = data.data() + r * layout.record_bytes();
      const uint8_t label = record[label_offset];
      if (label >= num_classes)
        throw FormatError(path.string(), "has label " + std::to_string(label) + " in record " + std::to_string(r) +
                                             ", expected a " + layout.name + " class below " +
                                             std::to_string(num_classes));
      samples.labels.push_back(label);
      samples.bytes.insert(samples.bytes.end(), record + layout.label_bytes, record + layout.record_bytes());
    }
    samples.count += records;
  }
}

}  // namespace

Schema Cifar::schema() {
  return {
      Option::required("path", OptionType::String,
                       "directory of the binary CIFAR files (cifar-10-batches-bin or cifar-100-binary)"),
      Option("variant", "auto", "cifar10, cifar100, or auto: told by data_batch_1.bin or train.bin in path")
          .one_of({"auto", "cifar10", "cifar100"}),
      Option("labels", "fine", "CIFAR-100's labels: fine (100 classes) or coarse (20 superclasses)")
          .one_of({"fine", "coarse"}),
  };
}

Cifar::Cifar(const Params& params)
    : InMemoryDataset("dataset/cifar"),
      path_(params.get<std::string>("path")),
      variant_(params.get<std::string>("variant")),
      coarse_labels_(params.get<std::string>("labels") == "coarse") {}

void Cifar::check(const Params& params) {
  if (params.get<std::string>("variant") == "cifar10" && params.get<std::string>("labels") == "coarse")
    throw OptionError("labels: coarse needs CIFAR-100; CIFAR-10 has one label per image", "labels",
                      OptionError::Part::Value);
}

std::optional<DatasetShape> Cifar::peek() const {
  try {
    const CifarLayout& layout = find_layout(path_, variant_);
    int64_t train_size = 0;
    for (const std::string& name : layout.train_files) train_size += count_records(fs::path(path_) / name, layout);
    return DatasetShape{train_size, Shape{3, 32, 32}};
  } catch (const Error&) {
    return std::nullopt;  // open() says what is wrong
  }
}

void Cifar::open() {
  const CifarLayout& layout = find_layout(path_, variant_);
  const bool cifar100 = &layout == &kCifar100;
  if (!cifar100 && coarse_labels_)
    throw FormatError(path_, "holds CIFAR-10, which has no coarse labels; labels: coarse needs CIFAR-100");
  num_classes_ = !cifar100 ? 10 : coarse_labels_ ? 20 : 100;
  const int64_t label_offset = cifar100 && !coarse_labels_ ? 1 : 0;  // CIFAR-100: coarse byte, then fine

  SplitSamples train, test;
  load_files(path_, layout.train_files, layout, label_offset, num_classes_, train);
  load_files(path_, layout.test_files, layout, label_offset, num_classes_, test);
  set_sample_shape(Shape{3, 32, 32});
  set_split(Split::Train, std::move(train));
  set_split(Split::Test, std::move(test));
}

}  // namespace sslflow::data
