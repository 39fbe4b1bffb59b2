#include "gzip_input.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "sslflow/error.hpp"

namespace sslflow::data {

namespace {

constexpr size_t kInputBuffer = size_t{1} << 18;
constexpr unsigned char kGzipMagic[2] = {0x1f, 0x8b};
constexpr int kGzipWindow = 16 + MAX_WBITS;  // a gzip wrapper, the largest window

}  // namespace

GzipInput::GzipInput(std::string path) : path_(std::move(path)), input_(kInputBuffer) {
  std::error_code error;
  if (std::filesystem::is_directory(path_, error)) throw FormatError(path_, "is a directory, not a file");
  file_.open(path_, std::ios::binary);
  if (!file_) throw FormatError(path_, std::string("cannot open: ") + std::strerror(errno));
  file_size_ = static_cast<int64_t>(std::filesystem::file_size(path_, error));
  if (error) throw FormatError(path_, "cannot read its size: " + error.message());
  refill();
  compressed_ = stream_.avail_in >= 2 && std::equal(kGzipMagic, kGzipMagic + 2, stream_.next_in);
  if (compressed_) {
    if (inflateInit2(&stream_, kGzipWindow) != Z_OK) throw FormatError(path_, "cannot start zlib: out of memory");
    inflating_ = true;
  }
}

GzipInput::~GzipInput() {
  if (compressed_) inflateEnd(&stream_);
}

bool GzipInput::refill() {
  file_.read(reinterpret_cast<char*>(input_.data()), static_cast<std::streamsize>(input_.size()));
  const std::streamsize got = file_.gcount();
  if (got == 0 && file_.bad()) throw FormatError(path_, std::string("cannot be read: ") + std::strerror(errno));
  read_from_file_ += got;
  stream_.next_in = input_.data();
  stream_.avail_in = static_cast<uInt>(got);
  return got > 0;
}

int64_t GzipInput::read(uint8_t* out, int64_t size) {
  if (compressed_) return inflate_some(out, size);
  int64_t done = 0;
  while (done < size && (stream_.avail_in > 0 || refill())) {
    const int64_t take = std::min<int64_t>(size - done, stream_.avail_in);
    std::memcpy(out + done, stream_.next_in, static_cast<size_t>(take));
    stream_.next_in += take;
    stream_.avail_in -= static_cast<uInt>(take);
    done += take;
  }
  return done;
}

bool GzipInput::start_member() {
  if (stream_.avail_in == 0 && !refill()) return false;
  if (stream_.next_in[0] != kGzipMagic[0] || (stream_.avail_in > 1 && stream_.next_in[1] != kGzipMagic[1])) {
    const int64_t offset = read_from_file_ - stream_.avail_in;
    throw FormatError(path_, "has " + std::to_string(file_size_ - offset) + " bytes after its gzip data (from byte " +
                                 std::to_string(offset) + ") that are not another gzip member");
  }
  inflateReset(&stream_);
  inflating_ = true;
  return true;
}

int64_t GzipInput::inflate_some(uint8_t* out, int64_t size) {
  int64_t done = 0;
  while (done < size) {
    if (!inflating_ && !start_member()) break;
    const auto want = static_cast<uInt>(std::min<int64_t>(size - done, int64_t{1} << 30));
    stream_.next_out = out + done;
    stream_.avail_out = want;
    const int status = inflate(&stream_, Z_NO_FLUSH);
    done += want - stream_.avail_out;
    if (status == Z_STREAM_END) {
      inflating_ = false;
    } else if (status == Z_BUF_ERROR && stream_.avail_in == 0) {  // needs more input
      if (!refill()) throw FormatError(path_, "is truncated: its gzip data ends inside a member");
    } else if (status != Z_OK) {
      throw FormatError(path_, std::string("cannot be decompressed (zlib: ") +
                                   (stream_.msg ? stream_.msg : "error " + std::to_string(status)) + ")");
    }
  }
  return done;
}

}  // namespace sslflow::data
