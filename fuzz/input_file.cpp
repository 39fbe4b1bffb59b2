#include "input_file.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

namespace sslflow::fuzz {

namespace {

// The files of this process, removed when it exits.
struct InputFiles {
  std::map<std::string, std::string> path_by_suffix;
  ~InputFiles() {
    for (const auto& [_, path] : path_by_suffix) std::filesystem::remove(path);
  }
};

}  // namespace

const std::string& write_input(const uint8_t* data, size_t size, const std::string& suffix) {
  static InputFiles files;
  auto [it, added] = files.path_by_suffix.try_emplace(suffix);
  if (added)
    it->second = (std::filesystem::temp_directory_path() /
                  ("sslflow_fuzz_" + std::to_string(::getpid()) + suffix))
                     .string();
  std::ofstream out(it->second, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) throw std::runtime_error("cannot write the fuzz input " + it->second);
  return it->second;
}

}  // namespace sslflow::fuzz
