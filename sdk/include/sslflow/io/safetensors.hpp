// safetensors: the weights format of the Hugging Face ecosystem, read and written so that
// sslflow checkpoints load in PyTorch (safetensors.torch.load_file) and back.
//
// Layout: u64 little-endian N, then N bytes of UTF-8 JSON header, then the byte buffer.
// The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end)}
// (offsets into the buffer) and may hold "__metadata__", a string -> string map.
//
// Reading validates strictly, in time linear in the header's size (up to a logarithm),
// and throws FormatError naming the file and the problem: a header over 100,000,000 bytes
// or past the end of the file, JSON that is not an object, duplicate names, names that are
// empty or hold a NUL byte or another control character (written as \xNN in messages),
// entries with missing, unknown or mistyped fields, unknown dtypes, rank
// above 4, sizes that overflow or disagree with the offsets, holes or overlaps between
// tensors, or a buffer longer or shorter than the tensors. Sizes are checked against the
// file size before anything is allocated. Dtypes F32, F64, F16, BF16, I64, I32, I16, I8,
// U8 and BOOL are read and converted to float32.
//
// Writing produces F32 tensors in the given order, the header padded with spaces to a
// multiple of 8 bytes, through write_file_atomically.
//
// Threading: independent calls may run concurrently.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sslflow/export.hpp"
#include "sslflow/module.hpp"

namespace sslflow::io {

struct SafetensorsFile {
  NamedTensors tensors;                                       // in file order of data offsets
  std::vector<std::pair<std::string, std::string>> metadata;  // "__metadata__", in header order
};

SSLFLOW_EXPORT SafetensorsFile read_safetensors(const std::string& path);

// Writes F32 tensors atomically: a temporary file in the same directory, fsync, rename,
// fsync of the directory. FormatError for duplicate, reserved ("__metadata__"), empty or
// control-character names, duplicate metadata keys, undefined tensors, text that is not UTF-8, or a failed write.
SSLFLOW_EXPORT void write_safetensors(const std::string& path, const NamedTensors& tensors,
                                      const std::vector<std::pair<std::string, std::string>>& metadata = {});

}  // namespace sslflow::io
