#include "jpeg_decoder.hpp"

#include <turbojpeg.h>

#include <utility>

#include "exif_orientation.hpp"
#include "sslflow/error.hpp"

namespace sslflow::data {

namespace {

// A TurboJPEG decompressor over one file.
class JpegReader {
 public:
  JpegReader(std::span<const uint8_t> bytes, const std::string& path)
      : bytes_(bytes), path_(path), handle_(tjInitDecompress()) {
    if (!handle_) throw FormatError(path, std::string("cannot be decoded: ") + tjGetErrorStr2(nullptr));
  }
  JpegReader(const JpegReader&) = delete;
  JpegReader& operator=(const JpegReader&) = delete;
  ~JpegReader() { tjDestroy(handle_); }

  // The stored size (before orientation).
  ImageSize header() {
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    if (tjDecompressHeader3(handle_, bytes_.data(), bytes_.size(), &width, &height, &subsampling, &colorspace) != 0)
      fail();
    if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK)
      throw FormatError(path_, "is a CMYK JPEG, which sslflow does not read; convert it to RGB");
    if (int64_t(width) * height > kMaxImagePixels)
      throw FormatError(path_, "is a JPEG of " + std::to_string(width) + " x " + std::to_string(height) +
                                   " pixels, more than the " + std::to_string(kMaxImagePixels) + " sslflow reads");
    return {width, height};
  }

  DecodedImage read(ImageSize size) {
    DecodedImage image(size.width, size.height, 3);
    const int flags = TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS;
    if (tjDecompress2(handle_, bytes_.data(), bytes_.size(), image.pixels.data(), int(size.width), 0, int(size.height),
                      TJPF_RGB, flags) != 0)
      fail();
    return image;
  }

 private:
  [[noreturn]] void fail() const {
    throw FormatError(path_, std::string("is not a readable JPEG: ") + tjGetErrorStr2(handle_));
  }

  std::span<const uint8_t> bytes_;
  const std::string& path_;
  tjhandle handle_;
};

}  // namespace

DecodedImage decode_jpeg(std::span<const uint8_t> bytes, const std::string& path) {
  JpegReader reader(bytes, path);
  return apply_orientation(reader.read(reader.header()), exif_orientation(bytes));
}

ImageSize jpeg_size(std::span<const uint8_t> bytes, const std::string& path) {
  ImageSize size = JpegReader(bytes, path).header();
  if (swaps_axes(exif_orientation(bytes))) std::swap(size.width, size.height);
  return size;
}

}  // namespace sslflow::data
