#include "exif_orientation.hpp"

#include <algorithm>
#include <cstring>

namespace sslflow::data {

namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTiffShort = 3;

// Reads the TIFF block of an Exif segment in its own byte order, bounds-checked.
class TiffReader {
 public:
  explicit TiffReader(std::span<const uint8_t> tiff) : tiff_(tiff) {}

  // Checks the "II*\0" / "MM\0*" header; false when it is neither.
  bool read_byte_order() {
    if (tiff_.size() < 8) return false;
    if (tiff_[0] == 'I' && tiff_[1] == 'I')
      little_ = true;
    else if (tiff_[0] == 'M' && tiff_[1] == 'M')
      little_ = false;
    else
      return false;
    return u16(2) == 42;
  }
  bool has(size_t offset, size_t count) const { return offset <= tiff_.size() && count <= tiff_.size() - offset; }
  // Callers check has(offset, 2 or 4) first.
  uint16_t u16(size_t at) const {
    return little_ ? uint16_t(tiff_[at] | tiff_[at + 1] << 8) : uint16_t(tiff_[at] << 8 | tiff_[at + 1]);
  }
  uint32_t u32(size_t at) const {
    return little_ ? uint32_t(u16(at)) | uint32_t(u16(at + 2)) << 16 : uint32_t(u16(at)) << 16 | uint32_t(u16(at + 2));
  }

 private:
  std::span<const uint8_t> tiff_;
  bool little_ = true;
};

// The orientation in the TIFF block `tiff` of an Exif segment, or 1.
int tiff_orientation(std::span<const uint8_t> tiff) {
  TiffReader reader(tiff);
  if (!reader.read_byte_order()) return 1;
  const size_t ifd = reader.u32(4);
  if (!reader.has(ifd, 2)) return 1;
  const size_t entries = reader.u16(ifd);
  for (size_t e = 0; e < entries; ++e) {
    const size_t entry = ifd + 2 + 12 * e;  // tag, type, count (u32), value (4 bytes)
    if (!reader.has(entry, 12)) return 1;
    if (reader.u16(entry) != kOrientationTag) continue;
    if (reader.u16(entry + 2) != kTiffShort || reader.u32(entry + 4) != 1) return 1;
    const int value = reader.u16(entry + 8);
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

}  // namespace

int exif_orientation(std::span<const uint8_t> jpeg) {
  static constexpr uint8_t kExifHeader[] = {'E', 'x', 'i', 'f', 0, 0};
  if (jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return 1;
  size_t at = 2;
  while (at + 4 <= jpeg.size()) {
    if (jpeg[at] != 0xFF) return 1;
    const uint8_t marker = jpeg[at + 1];
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return 1;              // start of scan, end of image: no Exif before the data
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // markers without a length
      at += 2;
      continue;
    }
    const size_t length = size_t(jpeg[at + 2]) << 8 | jpeg[at + 3];  // counts its own two bytes
    if (length < 2 || at + 2 + length > jpeg.size()) return 1;
    const std::span<const uint8_t> segment = jpeg.subspan(at + 4, length - 2);
    if (marker == 0xE1 && segment.size() >= sizeof(kExifHeader) &&
        std::memcmp(segment.data(), kExifHeader, sizeof(kExifHeader)) == 0)
      return tiff_orientation(segment.subspan(sizeof(kExifHeader)));
    at += 2 + length;
  }
  return 1;
}

DecodedImage apply_orientation(const DecodedImage& image, int orientation) {
  if (orientation < 2 || orientation > 8) return image;
  const int64_t w = image.width, h = image.height, c = image.channels;
  DecodedImage out = swaps_axes(orientation) ? DecodedImage(h, w, c) : DecodedImage(w, h, c);
  for (int64_t y = 0; y < out.height; ++y) {
    for (int64_t x = 0; x < out.width; ++x) {
      int64_t sx = x, sy = y;  // the stored pixel shown at (x, y)
      switch (orientation) {
        case 2:
          sx = w - 1 - x;
          break;
        case 3:
          sx = w - 1 - x, sy = h - 1 - y;
          break;
        case 4:
          sy = h - 1 - y;
          break;
        case 5:
          sx = y, sy = x;
          break;
        case 6:
          sx = y, sy = h - 1 - x;
          break;
        case 7:
          sx = w - 1 - y, sy = h - 1 - x;
          break;
        case 8:
          sx = w - 1 - y, sy = x;
          break;
      }
      std::copy_n(image.row(sy) + sx * c, c, out.row(y) + x * c);
    }
  }
  return out;
}

}  // namespace sslflow::data
