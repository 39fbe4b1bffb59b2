// Fuzzes the safetensors reader (sdk/src/io/safetensors.cpp): header length, JSON, entries,
// offsets and the tensor data.
#include "fuzz_target.hpp"
#include "input_file.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    sslflow::io::read_safetensors(sslflow::fuzz::write_input(data, size, ".safetensors"));
  } catch (const sslflow::Error&) {
  }
  return 0;
}
