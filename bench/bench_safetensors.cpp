// bench_safetensors: times writing and reading a safetensors file of many small tensors,
// the case where a header parser that is quadratic in the number of tensors shows (a
// state dict of a deep model, or a hostile header). Prints one JSON line per size:
//   {"case": "safetensors", "tensors": N, "file_bytes": B, "write_s": W, "read_s": R}
// Each time is the median of `--repeats` runs.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sslflow/io/safetensors.hpp"

namespace {

double median_seconds(int repeats, const std::function<void()>& run) {
  std::vector<double> seconds;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes{1000, 10000, 100000};
  int repeats = 3;
  std::string path = (std::filesystem::temp_directory_path() / "bench_safetensors.safetensors").string();
  CLI::App app{"safetensors write and read time against the number of tensors"};
  app.add_option("--tensors", sizes, "numbers of tensors, one case each");
  app.add_option("--repeats", repeats, "runs per case; the median is printed");
  app.add_option("--path", path, "the file written and read");
  CLI11_PARSE(app, argc, argv);

  for (int n : sizes) {
    sslflow::NamedTensors tensors;
    for (int i = 0; i < n; ++i) tensors.emplace_back("layer" + std::to_string(i) + ".weight", sslflow::Tensor::full({1}, 1.0f));
    const double write_s = median_seconds(repeats, [&] { sslflow::io::write_safetensors(path, tensors); });
    size_t read_count = 0;
    const double read_s = median_seconds(repeats, [&] { read_count = sslflow::io::read_safetensors(path).tensors.size(); });
    if (read_count != tensors.size()) {
      std::fprintf(stderr, "bench_safetensors: read %zu tensors of %d\n", read_count, n);
      return 1;
    }
    std::printf("{\"case\": \"safetensors\", \"tensors\": %d, \"file_bytes\": %ju, \"write_s\": %.4f, \"read_s\": %.4f}\n", n,
                static_cast<uintmax_t>(std::filesystem::file_size(path)), write_s, read_s);
  }
  std::filesystem::remove(path);
}
