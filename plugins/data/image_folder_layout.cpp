#include "image_folder_layout.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iterator>
#include <utility>

#include "sslflow/error.hpp"

namespace sslflow::data {

namespace {

namespace fs = std::filesystem;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

bool is_image_file(const fs::directory_entry& entry) {
  static const std::vector<std::string> kExtensions = {".png",  ".jpg", ".jpeg", ".bmp", ".gif",
                                                       ".webp", ".tif", ".tiff", ".ppm", ".pgm"};
  if (!entry.is_regular_file()) return false;
  const std::string extension = lower(entry.path().extension().string());
  return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// The images below `dir` at any depth, folder by folder in sorted order, each folder's
// files sorted by name.
std::vector<std::string> images_below(const fs::path& dir) {
  std::vector<std::pair<std::string, std::string>> found;  // (folder, name)
  for (const auto& entry : fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink))
    if (is_image_file(entry)) found.emplace_back(entry.path().parent_path().string(), entry.path().filename().string());
  std::sort(found.begin(), found.end());
  std::vector<std::string> files;
  for (const auto& [folder, name] : found) files.push_back((fs::path(folder) / name).string());
  return files;
}

// One split's folder: its classes (sorted) and images.
struct ScannedSplit {
  std::vector<std::string> classes;
  ImageList images;
};

ScannedSplit scan_split(const fs::path& dir) {
  ScannedSplit split;
  std::vector<std::string> loose;  // images directly in `dir`
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory())
      split.classes.push_back(entry.path().filename().string());
    else if (is_image_file(entry))
      loose.push_back(entry.path().string());
  }
  std::sort(split.classes.begin(), split.classes.end());
  std::sort(loose.begin(), loose.end());

  if (split.classes.empty()) {
    if (loose.empty())
      throw FormatError(dir.string(), "has no images (.png, .jpg, .jpeg) and no class folders holding them");
    split.images.files = std::move(loose);
    split.images.labels.assign(split.images.files.size(), -1);
    return split;
  }
  if (!loose.empty())
    throw FormatError(dir.string(), "has both class folders (" + join(split.classes) +
                                        ") and images directly inside (" + fs::path(loose[0]).filename().string() +
                                        (loose.size() > 1 ? ", ..." : "") +
                                        "); move the images into a class folder, or the class folders out");
  for (size_t label = 0; label < split.classes.size(); ++label) {
    const fs::path class_dir = dir / split.classes[label];
    const std::vector<std::string> files = images_below(class_dir);
    if (files.empty()) throw FormatError(class_dir.string(), "is a class folder without images (.png, .jpg, .jpeg)");
    split.images.files.insert(split.images.files.end(), files.begin(), files.end());
    split.images.labels.insert(split.images.labels.end(), files.size(), int64_t(label));
  }
  return split;
}

// The names in `a` that are not in `b` (both sorted).
std::vector<std::string> missing_from(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

void check_same_classes(const ScannedSplit& train, const ScannedSplit& test, const std::string& train_dir,
                        const std::string& test_dir) {
  if (train.classes == test.classes) return;
  auto listed = [](const std::vector<std::string>& names) { return names.empty() ? "none" : join(names); };
  throw FormatError(test_dir, "has classes other than the training folder " + train_dir +
                                  ": missing here: " + listed(missing_from(train.classes, test.classes)) +
                                  "; only here: " + listed(missing_from(test.classes, train.classes)) +
                                  " (a folder without class sub-folders is unlabelled)");
}

}  // namespace

ImageFolderLayout scan_image_folder(const std::string& path) {
  try {
    if (!fs::is_directory(path)) throw FormatError(path, "no such directory");
    ImageFolderLayout layout;
    const fs::path root(path);
    const bool has_train = fs::is_directory(root / "train");
    layout.train_dir = has_train ? (root / "train").string() : path;
    if (has_train) {
      const bool has_test = fs::is_directory(root / "test"), has_val = fs::is_directory(root / "val");
      if (has_test && has_val)
        throw FormatError(path, "has both a test and a val folder; keep one of them as the test split");
      if (has_test || has_val) layout.test_dir = (root / (has_test ? "test" : "val")).string();
    }

    ScannedSplit train = scan_split(layout.train_dir);
    if (!layout.test_dir.empty()) {
      ScannedSplit test = scan_split(layout.test_dir);
      check_same_classes(train, test, layout.train_dir, layout.test_dir);
      layout.test = std::move(test.images);
    }
    layout.classes = std::move(train.classes);
    layout.train = std::move(train.images);
    return layout;
  } catch (const fs::filesystem_error& e) {
    throw FormatError(e.path1().string(), std::string("cannot be listed: ") + e.code().message());
  }
}

}  // namespace sslflow::data
