#include "idx_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "sslflow/error.hpp"

namespace sslflow::data {

namespace {

constexpr int64_t kMaxBytes = int64_t{1} << 40;    // larger dimensions are taken as corrupt
constexpr int64_t kMaxReserve = int64_t{1} << 28;  // never reserve more before the data arrives
constexpr int64_t kChunk = int64_t{1} << 24;       // bytes per gzread call
constexpr unsigned kGzBuffer = 1u << 18;           // zlib's input buffer

struct GzClose {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzClose>;

// Reads up to `size` bytes; fewer only at the end of the data.
int64_t read_some(gzFile file, const std::string& path, uint8_t* out, int64_t size) {
  int64_t done = 0;
  while (done < size) {
    const auto want = static_cast<unsigned>(std::min(size - done, kChunk));
    const int got = gzread(file, out + done, want);
    if (got < 0) {
      int code = Z_OK;
      throw FormatError(path, std::string("cannot be decompressed (zlib: ") + gzerror(file, &code) + ")");
    }
    if (got == 0) break;
    done += got;
  }
  return done;
}

uint32_t big_endian_u32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

std::string hex(uint32_t value) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string text;
  for (size_t i = 0; i < dims.size(); ++i) text += (i ? " x " : "") + std::to_string(dims[i]);
  return text;
}

}  // namespace

IdxArray read_idx(const std::string& path, int rank) {
  errno = 0;
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw FormatError(path, std::string("cannot open: ") + (errno ? std::strerror(errno) : "out of memory"));
  gzbuffer(file.get(), kGzBuffer);

  const auto header_size = static_cast<int64_t>(4 + 4 * rank);
  std::vector<uint8_t> header(header_size);
  const int64_t header_read = read_some(file.get(), path, header.data(), header_size);
  if (header_read < 4) throw FormatError(path, "is too short for an IDX header");

  const uint32_t expected_magic = 0x800u | uint32_t(rank);
  const uint32_t magic = big_endian_u32(header.data());
  if (magic != expected_magic)
    throw FormatError(path, "has magic number " + hex(magic) + ", expected " + hex(expected_magic) +
                                " (IDX unsigned bytes, " + std::to_string(rank) + " dimensions)");
  if (header_read < header_size) throw FormatError(path, "is truncated inside its IDX header");

  IdxArray array;
  int64_t total = 1;
  for (int i = 0; i < rank; ++i) {
    array.dims.push_back(big_endian_u32(header.data() + 4 + 4 * i));
    const int64_t dim = array.dims.back();
    if (dim != 0 && total > kMaxBytes / dim)
      throw FormatError(path, "has implausible dimensions " + dims_text(array.dims));
    total *= dim;
  }

  array.bytes.reserve(static_cast<size_t>(std::min(total, kMaxReserve)));
  while (static_cast<int64_t>(array.bytes.size()) < total) {
    const size_t have = array.bytes.size();
    const int64_t want = std::min(total - int64_t(have), kChunk);
    array.bytes.resize(have + size_t(want));
    const int64_t got = read_some(file.get(), path, array.bytes.data() + have, want);
    array.bytes.resize(have + size_t(got));
    if (got < want) break;
  }
  if (static_cast<int64_t>(array.bytes.size()) < total)
    throw FormatError(path, "is truncated: dimensions " + dims_text(array.dims) + " need " + std::to_string(total) +
                                " data bytes, the file has " + std::to_string(array.bytes.size()));
  uint8_t extra = 0;
  if (read_some(file.get(), path, &extra, 1) != 0)
    throw FormatError(path, "has more data than its dimensions " + dims_text(array.dims) + " describe (" +
                                std::to_string(total) + " bytes)");
  return array;
}

}  // namespace sslflow::data
