// JPEG decoding with libjpeg-turbo's TurboJPEG API, to 8-bit RGB shown upright: the
// accurate integer IDCT and fancy upsampling, libjpeg's defaults and so PIL's, then the
// EXIF orientation applied (exif_orientation.hpp), as PIL's ImageOps.exif_transpose does.
// Grayscale JPEGs are replicated to RGB.
// Errors: a FormatError naming `path` with libjpeg's reason for a file it cannot read or
// warns about (corrupt or truncated data), for a CMYK or YCCK JPEG (not supported), or
// for more than kMaxImagePixels.
// Threading: independent calls may run concurrently (each has its own decoder).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "decoded_image.hpp"

namespace sslflow::data {

// `bytes` is the whole file `path`.
DecodedImage decode_jpeg(std::span<const uint8_t> bytes, const std::string& path);
ImageSize jpeg_size(std::span<const uint8_t> bytes, const std::string& path);  // upright; reads the headers only

}  // namespace sslflow::data
