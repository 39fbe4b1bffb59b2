// Fuzzes the IDX reader of the idx dataset (plugins/data/idx_file.cpp), plain and gzip:
// the input is read as images (3 dimensions) and as labels (1).
#include "fuzz_target.hpp"
#include "idx_file.hpp"
#include "input_file.hpp"
#include "sslflow/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = sslflow::fuzz::write_input(data, size, ".idx");
  for (int rank : {3, 1}) {
    try {
      sslflow::data::read_idx(path, rank);
    } catch (const sslflow::Error&) {
    }
  }
  return 0;
}
