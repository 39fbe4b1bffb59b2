// PNG decoding with libpng, to 8-bit RGB as PIL's Image.open(...).convert("RGB") gives it:
// palettes expanded, grayscale replicated, alpha (and tRNS transparency) dropped without
// compositing, 16-bit samples cut to their high byte (as PIL reads 16-bit colour; PIL
// clips 16-bit grayscale to 255 instead), no gamma correction.
// Errors: a FormatError naming `path` with libpng's reason (a bad signature, a CRC
// mismatch in a critical chunk, data that ends early), or for more than kMaxImagePixels.
// Threading: independent calls may run concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "decoded_image.hpp"

namespace sslflow::data {

// `bytes` is the whole file `path`.
DecodedImage decode_png(std::span<const uint8_t> bytes, const std::string& path);
ImageSize png_size(std::span<const uint8_t> bytes, const std::string& path);  // reads the header only

}  // namespace sslflow::data
