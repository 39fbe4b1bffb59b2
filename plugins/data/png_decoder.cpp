#include "png_decoder.hpp"

#include <png.h>

#include <cstring>
#include <vector>

#include "sslflow/error.hpp"

namespace sslflow::data {

namespace {

// What libpng's callbacks see: the file's bytes, how far it has read, and its last error.
// libpng reports errors by longjmp, so the functions that call it (read_header,
// read_rows) hold no object with a destructor, and report failure by returning false.
struct PngSource {
  std::span<const uint8_t> bytes;
  size_t offset = 0;
  char error[200] = {};
};

void on_error(png_structp png, png_const_charp message) {
  auto* source = static_cast<PngSource*>(png_get_error_ptr(png));
  std::strncpy(source->error, message, sizeof(source->error) - 1);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}  // recoverable (a bad ancillary chunk): read on, as PIL does

void on_read(png_structp png, png_bytep out, size_t count) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (source->bytes.size() - source->offset < count) png_error(png, "the file ends early (truncated)");
  std::memcpy(out, source->bytes.data() + source->offset, count);
  source->offset += count;
}

// Reads the header and asks libpng for 8-bit RGB rows.
bool read_header(png_structp png, png_infop info) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  png_set_expand(png);  // palette to RGB, gray below 8 bits to 8, tRNS to alpha
  png_set_strip_16(png);
  png_set_strip_alpha(png);
  png_set_gray_to_rgb(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  return true;
}

bool read_rows(png_structp png, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  return true;
}

// A libpng read struct over `bytes`, destroyed with its info struct.
class PngReader {
 public:
  PngReader(std::span<const uint8_t> bytes, const std::string& path) : path_(path) {
    source_.bytes = bytes;
    png_ = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source_, on_error, on_warning);
    if (png_) info_ = png_create_info_struct(png_);
    if (!png_ || !info_) throw FormatError(path, "cannot be decoded: libpng could not allocate its state");
    png_set_read_fn(png_, &source_, on_read);
  }
  PngReader(const PngReader&) = delete;
  PngReader& operator=(const PngReader&) = delete;
  ~PngReader() { png_destroy_read_struct(&png_, &info_, nullptr); }

  ImageSize header() {
    if (!read_header(png_, info_)) fail();
    const ImageSize size{png_get_image_width(png_, info_), png_get_image_height(png_, info_)};
    if (size.width * size.height > kMaxImagePixels)
      throw FormatError(path_, "is a PNG of " + std::to_string(size.width) + " x " + std::to_string(size.height) +
                                   " pixels, more than the " + std::to_string(kMaxImagePixels) + " sslflow reads");
    if (png_get_rowbytes(png_, info_) != static_cast<size_t>(size.width * 3))
      throw FormatError(path_, "is a PNG that libpng cannot convert to 8-bit RGB");
    return size;
  }

  void read(DecodedImage& image) {
    std::vector<png_bytep> rows(static_cast<size_t>(image.height));
    for (int64_t y = 0; y < image.height; ++y) rows[y] = image.row(y);
    if (!read_rows(png_, rows.data())) fail();
  }

 private:
  [[noreturn]] void fail() const { throw FormatError(path_, std::string("is not a readable PNG: ") + source_.error); }

  std::string path_;
  PngSource source_;
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

}  // namespace

DecodedImage decode_png(std::span<const uint8_t> bytes, const std::string& path) {
  PngReader reader(bytes, path);
  const ImageSize size = reader.header();
  DecodedImage image(size.width, size.height, 3);
  reader.read(image);
  return image;
}

ImageSize png_size(std::span<const uint8_t> bytes, const std::string& path) { return PngReader(bytes, path).header(); }

}  // namespace sslflow::data
