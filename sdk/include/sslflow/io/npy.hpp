// NumPy .npy arrays: embeddings, labels and reference tensors exchanged with Python.
//
// Reading accepts format versions 1.0, 2.0 and 3.0, a header of at most 10,000 bytes (as
// NumPy's own reader), C order, and the little-endian dtypes <f8 <f4 <f2 <i8 <i4 <i2 |i1
// <u4 <u2 |u1 |b1. Anything else throws FormatError naming the file and the problem:
// bad magic or version, a malformed header dictionary (keys other than exactly 'descr',
// 'fortran_order' and 'shape'), fortran_order True, object, structured or big-endian
// dtypes, and data shorter or longer than the shape requires. The data size is checked
// against the file size before it is allocated.
//
// Writing produces version 1.0 byte for byte as NumPy 1.24 does: the dict
// {'descr': ..., 'fortran_order': False, 'shape': (...), } padded with spaces and ended
// by '\n' so the data starts at a multiple of 64, 1-D shapes written "(N,)". Files are
// replaced through write_file_atomically.
//
// Threading: independent calls may run concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sslflow/export.hpp"
#include "sslflow/tensor.hpp"

namespace sslflow::io {

struct SSLFLOW_EXPORT NpyArray {
  std::string descr;                 // e.g. "<f4", "|u1", "<i8"
  std::vector<int64_t> shape;
  std::vector<unsigned char> bytes;  // little-endian, C order

  // Any supported dtype -> float32 (bool as 0/1). FormatError for an unsupported dtype,
  // rank above 4, or bytes that do not match the shape.
  Tensor to_tensor() const;
  // Integer and bool dtypes -> int64, flattened in C order. FormatError otherwise.
  std::vector<int64_t> to_int64() const;
};

SSLFLOW_EXPORT NpyArray read_npy(const std::string& path);

// What an .npy file holds, from its header alone, checked as read_npy checks it (the data
// size against the file's) without reading the data: for a dataset's peek().
struct NpyHeader {
  std::string descr;
  std::vector<int64_t> shape;
  uint64_t data_bytes = 0;
};
SSLFLOW_EXPORT NpyHeader read_npy_header(const std::string& path);
// '<f4', version 1.0, atomic as write_file_atomically.
SSLFLOW_EXPORT void write_npy(const std::string& path, const Tensor& values);
// 1-D '<i8', version 1.0, atomic as write_file_atomically.
SSLFLOW_EXPORT void write_npy(const std::string& path, const std::vector<int64_t>& values);

}  // namespace sslflow::io
