// The data library: registers the shipped datasets.
#include "datasets.hpp"
#include "sslflow/registry.hpp"
#include "sslflow/version.hpp"

SSLFLOW_PLUGIN("data", SSLFLOW_VERSION_STRING) {
  using namespace sslflow;
  registry.add<Dataset, data::Idx>("idx", "MNIST / Fashion-MNIST IDX files, gzipped or not (Fashion-MNIST by default)");
  registry.add<Dataset, data::Cifar>("cifar", "the binary CIFAR-10 and CIFAR-100 files");
  registry.add<Dataset, data::ImageFolder>("image_folder",
                                           "PNG and JPEG images in class folders, as torchvision's ImageFolder");
  registry.add<Dataset, data::Npy>("npy", "your own images and labels as .npy arrays");
  registry.add<Dataset, data::Synthetic>("synthetic",
                                         "generated blob patterns per class with shifts and noise, for tests");
}
