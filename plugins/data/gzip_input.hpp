// A file read as a stream of bytes, decompressed when it is gzip.
//
// A file that starts with gzip's magic (1f 8b) is decompressed with zlib's inflate, one
// member after another as `gzip -d` does for concatenated members; anything after the
// last member that is not another member is a FormatError, where zlib's gzread would
// silently drop it. Any other file is read as it is. Every error names the path.
// Threading: one reader per thread.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace sslflow::data {

class GzipInput {
 public:
  // Opens `path`; FormatError when it cannot be opened.
  explicit GzipInput(std::string path);
  ~GzipInput();
  GzipInput(const GzipInput&) = delete;
  GzipInput& operator=(const GzipInput&) = delete;

  // Reads up to `size` bytes into `out`; fewer only at the end of the data.
  int64_t read(uint8_t* out, int64_t size);
  const std::string& path() const { return path_; }

 private:
  // Refills the input buffer; false at the end of the file.
  bool refill();
  // Starts the member at the current input; false when the file holds no more bytes.
  bool start_member();
  int64_t inflate_some(uint8_t* out, int64_t size);

  std::string path_;
  std::ifstream file_;
  int64_t file_size_ = 0;      // for the offsets in messages
  int64_t read_from_file_ = 0;  // bytes read from disk so far
  std::vector<unsigned char> input_;
  z_stream stream_{};
  bool compressed_ = false;
  bool inflating_ = false;  // inside a member
};

}  // namespace sslflow::data
