// Image files: a PNG or a JPEG, told by its first bytes (not its name), decoded to 8-bit
// RGB shown upright (png_decoder.hpp, jpeg_decoder.hpp).
// Errors: a FormatError naming `path`: it cannot be read, is empty, is neither PNG nor
// JPEG (another image format is not supported), or its decoder refuses it.
// Threading: independent calls may run concurrently.
#pragma once

#include <string>

#include "decoded_image.hpp"

namespace sslflow::data {

DecodedImage decode_image_file(const std::string& path);
ImageSize read_image_size(const std::string& path);  // from the headers, as decode_image_file would show it

}  // namespace sslflow::data
