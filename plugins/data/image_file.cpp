#include "image_file.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <vector>

#include "jpeg_decoder.hpp"
#include "png_decoder.hpp"
#include "sslflow/error.hpp"

namespace sslflow::data {

namespace {

enum class ImageFormat { Png, Jpeg };

std::vector<uint8_t> read_file(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw FormatError(path, "cannot be read: " + error.message());
  if (size == 0) throw FormatError(path, "is empty, expected a PNG or JPEG image");
  std::vector<uint8_t> bytes(size);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (!in || in.gcount() != static_cast<std::streamsize>(size)) throw FormatError(path, "could not be read to its end");
  return bytes;
}

ImageFormat format_of(const std::vector<uint8_t>& bytes, const std::string& path) {
  static constexpr uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  static constexpr uint8_t kJpeg[] = {0xFF, 0xD8, 0xFF};
  auto starts_with = [&](std::span<const uint8_t> magic) {
    return bytes.size() >= magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin());
  };
  if (starts_with(kPng)) return ImageFormat::Png;
  if (starts_with(kJpeg)) return ImageFormat::Jpeg;
  throw FormatError(path, "is neither a PNG nor a JPEG file (by its first bytes); sslflow reads only those");
}

}  // namespace

DecodedImage decode_image_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file(path);
  return format_of(bytes, path) == ImageFormat::Png ? decode_png(bytes, path) : decode_jpeg(bytes, path);
}

ImageSize read_image_size(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file(path);
  return format_of(bytes, path) == ImageFormat::Png ? png_size(bytes, path) : jpeg_size(bytes, path);
}

}  // namespace sslflow::data
