#include <png.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "../sdk/io_test_support.hpp"
#include "builtin_registry.hpp"
#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "sslflow/interfaces/dataset.hpp"
#include "train/trainer.hpp"
#include "two_view_methods.hpp"

using namespace sslflow;

namespace {

namespace fs = std::filesystem;

// Writes `split` of `data` ((3, S, S) images in [0, 1]) as 8-bit RGB PNG files in
// ImageFolder's layout: dir/class_<label>/<index>.png.
void write_png_folder(const Dataset& data, Split split, const fs::path& dir) {
  const Shape shape = data.sample_shape();
  const int64_t plane = shape[1] * shape[2];
  std::vector<float> sample(static_cast<size_t>(shape.numel()));
  for (int64_t i = 0; i < data.size(split); ++i) {
    const int64_t label = data.read(split, i, sample);
    std::vector<unsigned char> rgb(static_cast<size_t>(shape.numel()));  // (S, S, 3)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t p = 0; p < plane; ++p)
        rgb[static_cast<size_t>(p * 3 + c)] = static_cast<unsigned char>(std::lround(sample[c * plane + p] * 255.0f));
    const fs::path folder = dir / ("class_" + std::to_string(label));
    fs::create_directories(folder);
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    image.width = static_cast<png_uint_32>(shape[2]);
    image.height = static_cast<png_uint_32>(shape[1]);
    image.format = PNG_FORMAT_RGB;
    const std::string file = (folder / (std::to_string(i) + ".png")).string();
    REQUIRE(png_image_write_to_file(&image, file.c_str(), 0, rgb.data(), 0, nullptr));
  }
}

}  // namespace

// A folder of the user's own RGB images, as the shipped simclr_image_folder.yaml trains on
// it: four classes of coloured blob patterns with shifts, distractors and noise (the
// synthetic dataset at 32 x 32 x 3), written as PNG files in train/ and test/ class
// folders. A few epochs of SimCLR with a narrow CIFAR ResNet-18 must raise the kNN accuracy
// of the encoder's features above that of the same encoder untrained.
TEST_CASE("Pipelines.image_folder.simclr_learns_from_a_folder_of_rgb_pngs", "[plugin][engine]") {
  const testing::TempDir dir;
  auto synthetic = testing::make_builtin<Dataset>(
      "synthetic", Value(Value::Map{{"train_size", 512}, {"test_size", 256}, {"num_classes", 4}, {"image_size", 32},
                                    {"channels", 3}, {"noise", 0.2}}));
  synthetic->open();
  write_png_folder(*synthetic, Split::Train, dir.path() / "train");
  write_png_folder(*synthetic, Split::Test, dir.path() / "test");

  const std::vector<std::string> overrides{
      "data.path=" + dir.path().string(),
      "data.cache=false",
      "train.epochs=6",
      "train.batch_size=64",
      "train.warmup_epochs=1",
      "nodes.backbone.width=8",
      "nodes.objective.proj_hidden=128",
      "nodes.objective.proj_dim=64",
      "nodes.probe.classes=4",
      "eval=[{plugin: knn, k: 20, temperature: 0.07, baselines: true}]",
  };
  const auto config = PipelineConfig::load(SSLFLOW_SOURCE_DIR "/pipelines/simclr_image_folder.yaml", overrides);
  const engine::RunResult run = engine::train(engine::validate(config, testing::builtin_registry()), {});
  const double untrained = testing::metric(run.final_metrics, "knn.untrained.top1");
  const double trained = testing::metric(run.final_metrics, "knn.top1");
  INFO("kNN top-1: untrained " << untrained << ", trained " << trained << ", raw pixels "
                               << testing::metric(run.final_metrics, "knn.raw_pixels.top1"));
  CHECK(trained > untrained + 0.05);
}
