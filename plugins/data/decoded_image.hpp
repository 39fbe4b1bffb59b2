// DecodedImage: pixels as a decoder writes them, interleaved (H, W, C) bytes, before they
// are resized and stored channel-first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sslflow::data {

// The most pixels one image may have (16384 x 16384); a header claiming more is taken as
// corrupt before anything is allocated.
inline constexpr int64_t kMaxImagePixels = int64_t(1) << 28;

// What a file's header says: the size of the image as it is shown (after EXIF orientation).
struct ImageSize {
  int64_t width = 0, height = 0;
};

struct DecodedImage {
  int64_t width = 0, height = 0, channels = 0;  // channels: 3 (RGB) or 1 (grayscale)
  std::vector<uint8_t> pixels;                  // (H, W, C)

  DecodedImage() = default;
  DecodedImage(int64_t w, int64_t h, int64_t c)
      : width(w), height(h), channels(c), pixels(static_cast<size_t>(w * h * c)) {}
  uint8_t* row(int64_t y) { return pixels.data() + y * width * channels; }
  const uint8_t* row(int64_t y) const { return pixels.data() + y * width * channels; }
};

}  // namespace sslflow::data
