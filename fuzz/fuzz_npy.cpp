// Fuzzes the .npy reader (sdk/src/io/npy.cpp): magic, version, header dictionary, shape,
// dtype and data.
#include "fuzz_target.hpp"
#include "input_file.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    sslflow::io::read_npy(sslflow::fuzz::write_input(data, size, ".npy"));
  } catch (const sslflow::Error&) {
  }
  return 0;
}
