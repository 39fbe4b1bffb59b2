#include "idx_file.hpp"

#include <algorithm>
#include <cstdio>

#include "gzip_input.hpp"
#include "sslflow/error.hpp"
#include "sslflow/memory.hpp"
#include "sslflow/stop.hpp"

namespace sslflow::data {

namespace {

constexpr int64_t kMaxBytes = int64_t{1} << 40;    // larger dimensions are taken as corrupt
constexpr int64_t kMaxReserve = int64_t{1} << 28;  // never reserve more before the data arrives
constexpr int64_t kChunk = int64_t{1} << 24;       // bytes per read, and between stop checks

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

// Reads and checks the header of `file`: the magic for `rank` dimensions, then the
// dimensions, whose product must stay below kMaxBytes.
std::vector<int64_t> read_dims(GzipInput& file, int rank) {
  const std::string& path = file.path();
  const auto header_size = static_cast<int64_t>(4 + 4 * rank);
  std::vector<uint8_t> header(header_size);
  const int64_t header_read = file.read(header.data(), header_size);
  if (header_read < 4) throw FormatError(path, "is too short for an IDX header");

  const uint32_t expected_magic = 0x800u | uint32_t(rank);
  const uint32_t magic = big_endian_u32(header.data());
  if (magic != expected_magic)
    throw FormatError(path, "has magic number " + hex(magic) + ", expected " + hex(expected_magic) +
                                " (IDX unsigned bytes, " + std::to_string(rank) + " dimensions)");
  if (header_read < header_size) throw FormatError(path, "is truncated inside its IDX header");

  std::vector<int64_t> dims;
  int64_t total = 1;
  for (int i = 0; i < rank; ++i) {
    dims.push_back(big_endian_u32(header.data() + 4 + 4 * i));
    const int64_t dim = dims.back();
    if (dim != 0 && total > kMaxBytes / dim) throw FormatError(path, "has implausible dimensions " + dims_text(dims));
    total *= dim;
  }
  return dims;
}

}  // namespace

std::vector<int64_t> read_idx_dims(const std::string& path, int rank) {
  GzipInput file(path);
  return read_dims(file, rank);
}

IdxArray read_idx(const std::string& path, int rank) {
  GzipInput file(path);
  IdxArray array;
  array.dims = read_dims(file, rank);
  int64_t total = 1;
  for (int64_t dim : array.dims) total *= dim;
  if (const uint64_t available = available_memory_bytes(); available > 0 && uint64_t(total) > available)
    throw FormatError(path, "has dimensions " + dims_text(array.dims) + " that need " + gib_text(double(total)) +
                                ", more than the " + gib_text(double(available)) + " of memory available");

  // Grown as the data arrives: a header that claims more than the file holds costs nothing.
  array.bytes.reserve(static_cast<size_t>(std::min(total, kMaxReserve)));
  while (static_cast<int64_t>(array.bytes.size()) < total) {
    check_stop();
    const size_t have = array.bytes.size();
    const int64_t want = std::min(total - int64_t(have), kChunk);
    array.bytes.resize(have + size_t(want));
    const int64_t got = file.read(array.bytes.data() + have, want);
    array.bytes.resize(have + size_t(got));
    if (got < want) break;
  }
  if (static_cast<int64_t>(array.bytes.size()) < total)
    throw FormatError(path, "is truncated: dimensions " + dims_text(array.dims) + " need " + std::to_string(total) +
                                " data bytes, the file has " + std::to_string(array.bytes.size()));
  uint8_t extra = 0;
  if (file.read(&extra, 1) != 0)
    throw FormatError(path, "has more data than its dimensions " + dims_text(array.dims) + " describe (" +
                                std::to_string(total) + " bytes)");
  return array;
}

}  // namespace sslflow::data
