#include <catch2/catch.hpp>

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "color.hpp"
#include "primitives.hpp"
#include "sslflow/error.hpp"
#include "sslflow/registry.hpp"
#include "augment_test_support.hpp"
#include "transforms.hpp"

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using sslflow::NodeSetup;
using sslflow::Params;
using sslflow::Rng;
using sslflow::Shape;
using sslflow::Value;
using namespace sslflow::augment;
using sslflow::augment::testing::make;
using sslflow::augment::testing::random_image;

namespace {

const NodeSetup kSetup{"view", 7};



Value floats(std::vector<double> values) { return Value(Value::List(values.begin(), values.end())); }

// Applies `transform` to `in` with the stream of sample `index`.
std::vector<float> apply(const sslflow::Transform& transform, const std::vector<float>& in, int64_t out_numel,
                         uint64_t index = 0) {
  std::vector<float> out(size_t(out_numel), -1.0f);
  Rng rng(3, "augment", index);
  transform.apply(in, out, rng);
  return out;
}

void check_close(const std::vector<float>& actual, const std::vector<float>& expected, double tolerance) {
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    INFO("element " << i);
    CHECK_THAT(actual[i], WithinAbs(expected[i], tolerance));
  }
}

}  // namespace

TEST_CASE("Augment.RandomResizedCrop.full_scale_is_identity", "[plugin]") {
  const ImageShape shape{3, 9, 9};
  const auto image = random_image(shape);
  auto crop = make<RandomResizedCrop>({{"scale", floats({1.0, 1.0})}, {"ratio", floats({1.0, 1.0})}});
  REQUIRE(crop.setup(shape.shape(), kSetup) == shape.shape());
  for (uint64_t index = 0; index < 4; ++index) CHECK(apply(crop, image, shape.numel(), index) == image);

  auto view = make<Augment>({{"crop", floats({1.0, 1.0})},
                             {"ratio", floats({1.0, 1.0})},
                             {"flip", 0.0},
                             {"jitter", 0.0},
                             {"saturation", 0.0},
                             {"hue", 0.0},
                             {"grayscale", 0.0}});
  REQUIRE(view.setup(shape.shape(), kSetup) == shape.shape());
  CHECK(apply(view, image, shape.numel()) == image);
}

TEST_CASE("Augment.ResizeCrop.bilinear_values", "[plugin]") {
  SECTION("upscale 2x2 to 4x4") {
    // Source coordinates (o + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (the last row).
    const std::vector<float> in{0, 1, 2, 3};
    std::vector<float> out(16);
    resize_crop(in, {1, 2, 2}, {0, 0, 2, 2}, out, {1, 4, 4});
    const float r[4] = {0.0f, 0.25f, 0.75f, 1.0f};
    std::vector<float> expected;
    for (float y : r)
      for (float x : r) expected.push_back(2.0f * y + x);
    check_close(out, expected, 1e-6);
  }
  SECTION("downscale 3x3 to 2x2") {
    // Source coordinates (o + 0.5) * 1.5 - 0.5 = 0.25, 1.75 on each axis of v = 3y + x.
    std::vector<float> in(9);
    std::iota(in.begin(), in.end(), 0.0f);
    std::vector<float> out(4);
    resize_crop(in, {1, 3, 3}, {0, 0, 3, 3}, out, {1, 2, 2});
    check_close(out, {1.0f, 2.5f, 5.5f, 7.0f}, 1e-6);
  }
  SECTION("a box of each channel at the same size is copied") {
    std::vector<float> in(2 * 4 * 5);
    std::iota(in.begin(), in.end(), 0.0f);
    std::vector<float> out(2 * 2 * 3);
    resize_crop(in, {2, 4, 5}, {1, 2, 2, 3}, out, {2, 2, 3});
    check_close(out, {7, 8, 9, 12, 13, 14, 27, 28, 29, 32, 33, 34}, 0.0);
  }
}

TEST_CASE("Augment.CropBox.within_scale_and_ratio", "[plugin]") {
  const Interval scale{0.2f, 1.0f}, ratio{0.75f, 4.0f / 3.0f};
  for (uint64_t index = 0; index < 200; ++index) {
    Rng rng(5, "crop", index);
    const CropBox box = sample_crop_box(28, 32, scale, ratio, rng);
    INFO("sample " << index << ": top " << box.top << " left " << box.left << " size " << box.height << "x"
                   << box.width);
    CHECK(box.top >= 0);
    CHECK(box.left >= 0);
    CHECK(box.top + box.height <= 28);
    CHECK(box.left + box.width <= 32);
    // Sides are rounded, so area and ratio hold up to a pixel either way.
    CHECK(double(box.height + 1) * double(box.width + 1) >= 0.2 * 28 * 32);
    CHECK(double(box.width) / double(box.height + 1) <= 4.0 / 3.0);
    CHECK(double(box.width + 1) / double(box.height) >= 0.75);
  }
}

TEST_CASE("Augment.CropBox.central_fallback", "[plugin]") {
  // The whole area at a ratio of at least 2 never fits a square, so the crop falls back to
  // the central box of ratio 2: 10 wide, round(10 / 2) = 5 high.
  Rng rng(5, "crop");
  const CropBox box = sample_crop_box(10, 10, {1.0f, 1.0f}, {2.0f, 3.0f}, rng);
  CHECK(box.top == 2);
  CHECK(box.left == 0);
  CHECK(box.height == 5);
  CHECK(box.width == 10);
}

TEST_CASE("Augment.Flip.values_and_twice_is_identity", "[plugin]") {
  const ImageShape shape{2, 2, 3};
  std::vector<float> image{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  flip_horizontal(image, shape);
  CHECK(image == std::vector<float>{3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10});

  const ImageShape large{3, 5, 8};
  const auto original = random_image(large);
  auto twice = original;
  flip_horizontal(twice, large);
  CHECK(twice != original);
  flip_horizontal(twice, large);
  CHECK(twice == original);

  auto always = make<HorizontalFlip>({{"p", 1.0}});
  always.setup(large.shape(), kSetup);
  auto flipped = original;
  flip_horizontal(flipped, large);
  CHECK(apply(always, original, large.numel()) == flipped);
  auto never = make<HorizontalFlip>({{"p", 0.0}});
  never.setup(large.shape(), kSetup);
  CHECK(apply(never, original, large.numel()) == original);
}

TEST_CASE("Augment.Jitter.strength_zero_is_identity", "[plugin]") {
  const ImageShape shape{3, 6, 6};
  const auto original = random_image(shape);
  for (uint64_t index = 0; index < 8; ++index) {
    auto image = original;
    Rng rng(1, "jitter", index);
    color_jitter(image, shape, JitterStrengths{}, rng);
    CHECK(image == original);
  }
  auto jitter = make<ColorJitter>({{"strength", 0.0}, {"saturation", 0.0}, {"hue", 0.0}, {"p", 1.0}});
  jitter.setup(shape.shape(), kSetup);
  CHECK(apply(jitter, original, shape.numel()) == original);
  auto strong = make<ColorJitter>({{"p", 1.0}});
  strong.setup(shape.shape(), kSetup);
  CHECK(apply(strong, original, shape.numel()) != original);
}

TEST_CASE("Augment.Blur.constant_and_symmetric", "[plugin]") {
  const ImageShape shape{2, 7, 9};
  for (auto [kernel, sigma] : {std::pair{BlurKernel{1, 3}, 0.1f}, std::pair{BlurKernel{3, 3}, 0.8f},
                               std::pair{BlurKernel{13, 17}, 4.0f}}) {  // 13 x 17: half the image and more
    INFO("sigma " << sigma);
    std::vector<float> constant(size_t(shape.numel()), 0.625f);
    gaussian_blur(constant, shape, kernel, sigma);
    check_close(constant, std::vector<float>(constant.size(), 0.625f), 1e-6);
  }
  SECTION("a point spreads symmetrically") {
    const ImageShape point_shape{1, 5, 5};
    std::vector<float> point(25, 0.0f);
    point[12] = 1.0f;
    gaussian_blur(point, point_shape, {3, 3}, 1.0f);
    CHECK(point[12] < 1.0f);
    CHECK(point[12] > point[11]);
    CHECK_THAT(point[11], WithinAbs(point[13], 1e-7));
    CHECK_THAT(point[7], WithinAbs(point[17], 1e-7));
    CHECK_THAT(point[11], WithinAbs(point[7], 1e-7));
    CHECK(point[0] == 0.0f);  // beyond the 3 x 3 kernel
  }
}

TEST_CASE("Augment.Noise.statistics", "[plugin]") {
  const ImageShape shape{1, 100, 100};
  std::vector<float> image(size_t(shape.numel()), 0.5f);
  Rng rng(2, "noise");
  add_gaussian_noise(image, 0.0f, rng);
  CHECK(image == std::vector<float>(image.size(), 0.5f));
  add_gaussian_noise(image, 0.1f, rng);
  double mean = 0.0, square = 0.0;
  for (float x : image) mean += x / double(image.size());
  for (float x : image) square += (x - mean) * (x - mean) / double(image.size());
  CHECK_THAT(mean, WithinAbs(0.5, 0.005));
  CHECK_THAT(std::sqrt(square), WithinAbs(0.1, 0.005));
}

TEST_CASE("Augment.Normalize.per_channel", "[plugin]") {
  const ImageShape shape{2, 1, 2};
  std::vector<float> image{0.5f, 1.0f, 0.25f, 0.75f};
  const float mean[2] = {0.5f, 0.25f}, std[2] = {0.5f, 2.0f};
  normalize(image, shape, mean, std);
  check_close(image, {0.0f, 1.0f, 0.0f, 0.25f}, 1e-6);

  auto mnist = make<Normalize>();
  mnist.setup(shape.shape(), kSetup);
  const auto out = apply(mnist, {0.1307f, 0.4388f, 0.0f, 1.0f}, shape.numel());
  check_close(out, {0.0f, 1.0f, -0.1307f / 0.3081f, 0.8693f / 0.3081f}, 1e-5);

  auto two = make<Normalize>({{"mean", floats({0.5, 0.5})}, {"std", floats({0.2, 0.2})}});
  CHECK_THROWS_AS(two.setup(Shape{3, 4, 4}, kSetup), sslflow::ShapeError);
  CHECK_THROWS_WITH(two.setup(Shape{3, 4, 4}, kSetup),
                    Catch::Contains("normalize") && Catch::Contains("'mean'") && Catch::Contains("expected 3"));
  auto rgb = make<Normalize>({{"mean", floats({0.485, 0.456, 0.406})}, {"std", floats({0.229, 0.224, 0.225})}});
  CHECK(rgb.setup(Shape{3, 4, 4}, kSetup) == Shape{3, 4, 4});
  CHECK_THROWS_AS(rgb.setup(Shape{1, 4, 4}, kSetup), sslflow::ShapeError);
  CHECK_THROWS_AS(make<Normalize>({{"mean", floats({0.5, 0.5})}}), sslflow::OptionError);
  CHECK_THROWS_AS(make<Augment>({{"mean", floats({0.5})}}), sslflow::OptionError);
}

TEST_CASE("Augment.View.deterministic_per_sample", "[plugin]") {
  const ImageShape shape{3, 12, 12};
  const auto image = random_image(shape);
  auto view = make<Augment>({{"size", 10},
                             {"blur", 0.5},
                             {"solarize", 0.2},
                             {"noise", 0.05},
                             {"mean", floats({0.4, 0.5, 0.6})},
                             {"std", floats({0.2, 0.25, 0.3})}});
  REQUIRE(view.setup(shape.shape(), kSetup) == Shape{3, 10, 10});
  CHECK(apply(view, image, 300, 4) == apply(view, image, 300, 4));
  CHECK(apply(view, image, 300, 4) != apply(view, image, 300, 5));

  Rng first(3, "augment", 0), second(3, "augment", 1);
  const CropBox a = sample_crop_box(28, 28, {0.2f, 1.0f}, {0.75f, 4.0f / 3.0f}, first);
  const CropBox b = sample_crop_box(28, 28, {0.2f, 1.0f}, {0.75f, 4.0f / 3.0f}, second);
  CHECK((a.top != b.top || a.left != b.left || a.height != b.height || a.width != b.width));
}

TEST_CASE("Augment.View.independent_of_threads", "[plugin]") {
  constexpr int64_t kSamples = 512;
  const ImageShape shape{1, 28, 28};
  auto view = make<Augment>({{"size", 20}, {"crop", floats({0.4, 1.0})}, {"blur", 0.5}, {"noise", 0.02}});
  const int64_t out_numel = view.setup(shape.shape(), kSetup).numel();
  std::vector<std::vector<float>> inputs;
  for (int64_t i = 0; i < kSamples; ++i) inputs.push_back(random_image(shape, uint64_t(i)));

  std::vector<std::vector<float>> serial;
  for (int64_t i = 0; i < kSamples; ++i) serial.push_back(apply(view, inputs[size_t(i)], out_numel, uint64_t(i)));
  std::vector<std::vector<float>> parallel(kSamples);
  tbb::parallel_for(int64_t{0}, kSamples, [&](int64_t i) {
    parallel[size_t(i)] = apply(view, inputs[size_t(i)], out_numel, uint64_t(i));
  });
  for (int64_t i = 0; i < kSamples; ++i) {
    INFO("sample " << i);
    REQUIRE(parallel[size_t(i)] == serial[size_t(i)]);
  }
}

TEST_CASE("Augment.Setup.output_shapes", "[plugin]") {
  auto same = make<Augment>();
  CHECK(same.setup(Shape{3, 10, 12}, kSetup) == Shape{3, 10, 12});
  auto resized = make<Augment>({{"size", 16}});
  CHECK(resized.setup(Shape{3, 10, 12}, kSetup) == Shape{3, 16, 16});
  auto blur = make<GaussianBlur>();
  CHECK(blur.setup(Shape{2, 5, 5}, kSetup) == Shape{2, 5, 5});
  auto mask = make<PatchMask>();
  CHECK(mask.setup(Shape{1, 28, 28}, kSetup) == Shape{16});

  CHECK_THROWS_AS(make<Augment>().setup(Shape{28, 28}, kSetup), sslflow::ShapeError);
  CHECK_THROWS_AS(make<Solarize>().setup(Shape{0, 28, 28}, kSetup), sslflow::ShapeError);
  std::vector<float> wrong(10), out(300);
  Rng rng(1, "augment");
  CHECK_THROWS_AS(same.apply(wrong, out, rng), sslflow::ShapeError);
}

TEST_CASE("Augment.PatchMask.exact_count", "[plugin]") {
  const ImageShape shape{1, 28, 28};
  const auto image = random_image(shape);
  for (auto [ratio, masked] : {std::pair{0.6, 10}, std::pair{0.0, 0}, std::pair{1.0, 16}, std::pair{0.5, 8}}) {
    INFO("ratio " << ratio);
    auto mask = make<PatchMask>({{"ratio", ratio}});
    REQUIRE(mask.setup(shape.shape(), kSetup) == Shape{16});
    std::vector<int> hits(16, 0);
    for (uint64_t index = 0; index < 100; ++index) {
      const auto out = apply(mask, image, 16, index);
      CHECK(std::all_of(out.begin(), out.end(), [](float x) { return x == 0.0f || x == 1.0f; }));
      CHECK(std::accumulate(out.begin(), out.end(), 0.0f) == float(masked));
      for (size_t t = 0; t < out.size(); ++t) hits[t] += out[t] == 1.0f;
    }
    if (masked > 0 && masked < 16)
      CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h > 0 && h < 100; }));
  }
  auto wide = make<PatchMask>({{"patch", 7}});
  CHECK(wide.setup(Shape{3, 14, 28}, kSetup) == Shape{8});
}

TEST_CASE("Augment.PatchMask.count_rounds_halves_to_even", "[plugin]") {
  // stable-pretraining's Data2Vec masks int(round(N * mask_ratio)) patches (methods/data2vec.py:155):
  // Python's round takes a half to the even neighbour, round(4.5) == 4 and round(7.5) == 8.
  struct Case {
    ImageShape image;
    double ratio;
    int64_t tokens, masked;
  };
  for (const Case& c : {Case{{1, 21, 21}, 0.5, 9, 4}, Case{{1, 35, 35}, 0.5, 25, 12}, Case{{1, 28, 21}, 0.625, 12, 8},
                        Case{{1, 14, 28}, 0.3125, 8, 2}, Case{{1, 28, 28}, 0.65, 16, 10}}) {
    INFO(c.tokens << " patches, ratio " << c.ratio);
    auto mask = make<PatchMask>({{"ratio", c.ratio}});
    REQUIRE(mask.setup(c.image.shape(), kSetup) == Shape{c.tokens});
    const auto out = apply(mask, random_image(c.image), c.tokens, 0);
    CHECK(std::accumulate(out.begin(), out.end(), 0.0f) == float(c.masked));
  }
}

TEST_CASE("Augment.PatchMask.patch_must_divide", "[plugin]") {
  auto mask = make<PatchMask>({{"patch", 5}});
  CHECK_THROWS_AS(mask.setup(Shape{1, 28, 28}, kSetup), sslflow::ShapeError);
  auto tall = make<PatchMask>({{"patch", 4}});
  CHECK_THROWS_AS(tall.setup(Shape{1, 28, 30}, kSetup), sslflow::ShapeError);
}

TEST_CASE("Augment.Registry.schemas_and_ports", "[plugin]") {
  sslflow::Registry registry;
  register_transforms(registry);
  const auto entries = registry.list("transform");
  REQUIRE(entries.size() == 11);
  for (const sslflow::PluginInfo* info : entries) {
    INFO(info->key());
    CHECK(!info->description.empty());
    for (const sslflow::Option& option : info->schema) {
      INFO("option " << option.name());
      CHECK(!option.doc().empty());
      CHECK(!option.is_required());
      CHECK(option.lower().has_value());
      CHECK(option.upper().has_value());
    }
    REQUIRE(info->signature.outputs.size() == 1);
    CHECK(info->signature.inputs.at(0).type == sslflow::PortType::Image);
    const auto expected = info->name == "patch_mask" ? sslflow::PortType::Mask : sslflow::PortType::Image;
    CHECK(info->signature.outputs[0].type == expected);
  }

  const sslflow::PluginInfo* info = registry.find("transform", "augment");
  REQUIRE(info != nullptr);
  Value::Map pipeline{{"crop", floats({0.4, 1.0})}, {"flip", 0.5}, {"jitter", 0.4}};
  auto view = registry.create<sslflow::Transform>(
      "augment", Params::resolve("view", info->schema, Value(pipeline)));
  REQUIRE(view);
  CHECK(view->setup(Shape{1, 28, 28}, kSetup) == Shape{1, 28, 28});
  CHECK_THROWS_AS(make<Augment>({{"crop", floats({0.9, 0.4})}}), sslflow::OptionError);
}
