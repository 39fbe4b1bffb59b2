// The file layout of torchvision's ImageFolder, found by listing directories only.
//
//   path/train/<class>/**/<image>   and   path/test/<class>/...  (or path/val/...)
//   path/<class>/**/<image>         no test folder: the test split, if any, is drawn
//   path/**/<image>                 without class folders: unlabelled (label -1)
//
// The same applies inside path/train and path/test: a folder whose sub-folders are the
// classes, or one holding its images directly. Classes are the sub-folders' names sorted
// by bytes (Python's sorted()), a class's label its index; each class's images are those
// below it, at any depth, in the order of torchvision's sorted os.walk: folder by folder,
// sorted by name. An image is a file whose name ends in .png, .jpg or .jpeg in any case,
// or in another image format's extension (.bmp, .gif, .webp, .tif, .tiff, .ppm, .pgm),
// listed so that decoding reports it as unsupported rather than leaving it out unseen.
// Other files are ignored.
// Errors: a FormatError naming the folder: no such directory, both test and val, a class
// folder without images, a folder with neither images nor class folders, a folder with
// both class folders and images directly inside, a test folder whose classes differ from
// train's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sslflow::data {

struct ImageList {
  std::vector<std::string> files;
  std::vector<int64_t> labels;  // one per file; -1 when unlabelled
};

struct ImageFolderLayout {
  std::vector<std::string> classes;  // sorted; empty when unlabelled
  std::string train_dir;
  std::string test_dir;  // "" without a test or val folder
  ImageList train, test;
};

ImageFolderLayout scan_image_folder(const std::string& path);

}  // namespace sslflow::data
