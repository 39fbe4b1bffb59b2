// IDX files (LeCun's MNIST format), gzipped or not.
//
// An IDX file is a big-endian header, the magic 0x000008NN (0x08: unsigned bytes, NN:
// the number of dimensions), NN dimensions of 4 bytes each, then the bytes of the array
// in C order. Only unsigned-byte arrays are read, as MNIST and Fashion-MNIST store both
// images (3 dimensions) and labels (1 dimension).
// Threading: independent calls may run concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sslflow::data {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;  // C order, product(dims) bytes
};

// Reads `path`, decompressing it when it is gzip (see GzipInput), and checks the magic
// against `rank` dimensions and the data length against the dimensions, exactly. Memory
// grows with the data read, never beyond what the header claims, and a claim larger than
// the machine's available memory is refused before reading. Throws FormatError naming
// `path` for a file that cannot be opened, is not valid gzip (or has bytes after its gzip
// data), or is malformed; a stop request (sslflow/stop.hpp) ends a read between chunks
// of 16 MiB with StopRequested.
IdxArray read_idx(const std::string& path, int rank);

// The dimensions in the header of `path`, checked as read_idx checks them; reads nothing
// else.
std::vector<int64_t> read_idx_dims(const std::string& path, int rank);

}  // namespace sslflow::data
