// bench_decode: the decode throughput of dataset/image_folder (images/s), for JPEG and PNG
// files as stored and resized to 224 (shorter side, then a centre crop), with 1, 2, ...
// oneTBB threads up to the machine's cores. It writes its own images into WORK_DIR first
// (COUNT 500x375 RGB pictures: smooth waves plus noise, photo-like for both codecs; JPEG
// quality 90, 4:2:0), which bench/pil_decode.py then decodes with PIL for comparison.
//
//   bench_decode WORK_DIR [COUNT]     prints one JSON line per case
#include <png.h>
#include <tbb/global_control.h>
#include <turbojpeg.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "sslflow/interfaces/dataset.hpp"
#include "sslflow/testing/plugin_runner.hpp"

namespace fs = std::filesystem;

namespace {

constexpr int kWidth = 500;
constexpr int kHeight = 375;

std::vector<unsigned char> picture(int seed) {
  std::vector<unsigned char> rgb(size_t(kWidth) * kHeight * 3);
  unsigned state = 12345u + static_cast<unsigned>(seed);
  for (int y = 0; y < kHeight; ++y)
    for (int x = 0; x < kWidth; ++x)
      for (int c = 0; c < 3; ++c) {
        state = state * 1664525u + 1013904223u;
        const double v = 128 + 80 * std::sin(0.02 * x + 0.03 * y + seed + 2 * c) + int(state >> 28) - 8;
        rgb[(size_t(y) * kWidth + x) * 3 + c] = static_cast<unsigned char>(std::clamp(v, 0.0, 255.0));
      }
  return rgb;
}

void write_file(const fs::path& path, const unsigned char* bytes, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(bytes, 1, size, f) != size) throw std::runtime_error("cannot write " + path.string());
  std::fclose(f);
}

// WORK_DIR/jpg/all/<i>.jpg and WORK_DIR/png/all/<i>.png, unless already there.
void write_images(const fs::path& dir, int count) {
  if (fs::exists(dir / "png/all" / (std::to_string(count - 1) + ".png"))) return;
  fs::create_directories(dir / "jpg/all");
  fs::create_directories(dir / "png/all");
  tjhandle tj = tjInitCompress();
  for (int i = 0; i < count; ++i) {
    const std::vector<unsigned char> rgb = picture(i);
    unsigned char* jpeg = nullptr;
    unsigned long size = 0;
    if (tjCompress2(tj, rgb.data(), kWidth, 0, kHeight, TJPF_RGB, &jpeg, &size, TJSAMP_420, 90, 0) != 0)
      throw std::runtime_error(std::string("TurboJPEG: ") + tjGetErrorStr2(tj));
    write_file(dir / "jpg/all" / (std::to_string(i) + ".jpg"), jpeg, size);
    tjFree(jpeg);
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    image.width = kWidth;
    image.height = kHeight;
    image.format = PNG_FORMAT_RGB;
    const std::string png = (dir / "png/all" / (std::to_string(i) + ".png")).string();
    if (!png_image_write_to_file(&image, png.c_str(), 0, rgb.data(), 0, nullptr))
      throw std::runtime_error("libpng cannot write " + png);
  }
  tjDestroy(tj);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_decode WORK_DIR [COUNT]\n");
    return 2;
  }
  const fs::path work = argv[1];
  const int count = argc > 2 ? std::atoi(argv[2]) : 400;
  write_images(work, count);
  const sslflow::testing::Plugins plugins({SSLFLOW_BUILD_PLUGIN_DIR});
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (const char* codec : {"jpg", "png"})
    for (int64_t size : {0, 224})
      for (int threads = 1; threads <= cores; threads *= 2) {
        tbb::global_control control(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
        sslflow::Value::Map options{{"path", (work / codec).string()}};
        if (size) options.emplace_back("size", size);
        auto dataset = plugins.create<sslflow::Dataset>("image_folder", options);
        const auto start = std::chrono::steady_clock::now();
        dataset->open();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const int64_t n = dataset->size(sslflow::Split::Train);
        std::printf("{\"codec\": \"%s\", \"size\": %ld, \"threads\": %d, \"images\": %ld, \"images_per_s\": %.1f}\n", codec,
                    static_cast<long>(size), threads, static_cast<long>(n), n / seconds);
        std::fflush(stdout);
      }
}
