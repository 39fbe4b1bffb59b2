// The colour and blur transforms of plugins/augment: the deterministic primitives against
// torchvision.transforms.functional (tests/plugins/make_augment_golden.py writes
// tests/plugins/data/augment.safetensors), and the random transforms' draws: determinism
// for a fixed rng, the probability p, the random order of the jitter, grey images.
#include <algorithm>
#include <catch2/catch.hpp>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../golden/golden.hpp"
#include "color.hpp"
#include "options.hpp"
#include "primitives.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/safetensors.hpp"
#include "augment_test_support.hpp"
#include "transforms.hpp"

using Catch::Matchers::Contains;
using sslflow::NodeSetup;
using sslflow::Params;
using sslflow::Rng;
using sslflow::Shape;
using sslflow::Tensor;
using sslflow::Value;
using sslflow::golden::Tolerance;
using namespace sslflow::augment;
using sslflow::augment::testing::make;
using sslflow::augment::testing::random_image;

namespace {

const NodeSetup kSetup{"view", 7};

// torchvision computes these ops in float32 too; what differs is summation order (the
// contrast mean, the blur's separable passes against torch's 2-D kernel) and the double
// kernel weights, a few float32 roundings of values at most 1.
constexpr Tolerance kBlend{1e-6, 0.0};
// The hue's HSV round trip divides by small differences (max - min), which magnifies one
// rounding of the inputs; 1e-5 bounds float32 against float32 with another operation order.
constexpr Tolerance kHue{1e-5, 0.0};
// Comparisons and uint8 levels: the same values or the formula is wrong.
constexpr Tolerance kExact{0.0, 0.0};

const std::vector<std::string> kImages{"rgb", "levels", "constant", "grey"};

constexpr const char* kPath = SSLFLOW_SOURCE_DIR "/tests/plugins/data/augment.safetensors";

// tests/plugins/data/augment.safetensors, read once.
const std::map<std::string, Tensor>& golden() {
  static const std::map<std::string, Tensor> tensors = [] {
    std::map<std::string, Tensor> out;
    for (auto& [name, tensor] : sslflow::io::read_safetensors(kPath).tensors) out.emplace(name, tensor);
    return out;
  }();
  return tensors;
}

const Tensor& at(const std::string& name) {
  const auto it = golden().find(name);
  if (it == golden().end()) throw sslflow::FormatError(kPath, "no tensor '" + name + "'");
  return it->second;
}

std::vector<float> values(const std::string& name) {
  const auto v = at(name).values();
  return {v.begin(), v.end()};
}

ImageShape shape_of(const std::string& image) { return ImageShape::from(at("image." + image).shape(), "golden"); }

void expect(const std::string& name, const std::vector<float>& actual, const Shape& shape, Tolerance tolerance) {
  const auto c = sslflow::golden::compare(name, Tensor(shape, actual), at(name), tolerance);
  INFO(c.report);
  CHECK(c.ok);
}

// Applies `op(image, shape, factor)` to every golden image for every factor of `op_name`.
template <class Op>
void check_factor_op(const std::string& op_name, Tolerance tolerance, Op op) {
  const std::vector<float> factors = values("factors." + op_name);
  for (const std::string& image : kImages)
    for (size_t i = 0; i < factors.size(); ++i) {
      const ImageShape shape = shape_of(image);
      std::vector<float> out = values("image." + image);
      op(out, shape, factors[i]);
      expect(image + "." + op_name + "." + std::to_string(i), out, shape.shape(), tolerance);
    }
}



std::vector<float> apply(const sslflow::Transform& transform, const std::vector<float>& in, uint64_t index) {
  std::vector<float> out(in.size(), -1.0f);
  Rng rng(3, "augment", index);
  transform.apply(in, out, rng);
  return out;
}

Value floats(std::vector<double> values) { return Value(Value::List(values.begin(), values.end())); }

// `transform` set up for `shape`: with p = 0 every sample comes out unchanged, with p = 1
// every sample comes out as `expected` makes it (or at least changed, when none is given).
template <class T>
void check_probability(const ImageShape& shape, Value::Map options,
                       void (*expected)(std::span<float>, const ImageShape&) = nullptr) {
  Value::Map with_p = options;
  with_p.emplace_back("p", 0.0);
  auto never = make<T>(with_p);
  with_p.back().second = Value(1.0);
  auto always = make<T>(with_p);
  never.setup(shape.shape(), kSetup);
  always.setup(shape.shape(), kSetup);
  for (uint64_t index = 0; index < 20; ++index) {
    INFO("sample " << index);
    const auto image = random_image(shape, index);
    CHECK(apply(never, image, index) == image);
    const auto out = apply(always, image, index);
    CHECK(out != image);
    if (expected) {
      auto want = image;
      expected(want, shape);
      CHECK(out == want);
    }
  }
}

}  // namespace

// ---- golden: torchvision.transforms.functional -------------------------------------------------

TEST_CASE("Augment.Golden.brightness_contrast_saturation", "[golden]") {
  check_factor_op("brightness", kBlend,
                  [](std::span<float> image, const ImageShape&, float factor) { adjust_brightness(image, factor); });
  check_factor_op("contrast", kBlend, adjust_contrast);
  check_factor_op("saturation", kBlend, adjust_saturation);  // grey: unchanged, as torchvision
}

TEST_CASE("Augment.Golden.hue", "[golden]") {
  check_factor_op("hue", kHue, adjust_hue);  // grey: unchanged, as torchvision
}

TEST_CASE("Augment.Golden.solarize", "[golden]") {
  check_factor_op("solarize", kExact,
                  [](std::span<float> image, const ImageShape&, float threshold) { solarize(image, threshold); });
}

TEST_CASE("Augment.Golden.grayscale", "[golden]") {
  for (const std::string& image : kImages) {
    const ImageShape shape = shape_of(image);
    const std::vector<float> in = values("image." + image);
    std::vector<float> gray(size_t(shape.plane()));
    rgb_to_grayscale(in, shape, gray);
    expect(image + ".grayscale", gray, Shape{1, shape.height, shape.width}, kBlend);

    // RandomGrayscale: rgb_to_grayscale(num_output_channels=3), the grey level on each channel.
    std::vector<float> replicated = in;
    to_grayscale(replicated, shape);
    for (int64_t c = 0; c < shape.channels; ++c) {
      INFO(image << " channel " << c);
      const auto begin = replicated.begin() + c * shape.plane();
      expect(image + ".grayscale", {begin, begin + shape.plane()}, Shape{1, shape.height, shape.width}, kBlend);
    }
  }
}

TEST_CASE("Augment.Golden.gaussian_blur", "[golden]") {
  const std::vector<float> kernels = values("blur.kernels"), sigmas = values("blur.sigmas");  // (N, 2) [kx, ky], (N)
  for (const std::string& image : kImages)
    for (size_t i = 0; i < sigmas.size(); ++i) {
      const ImageShape shape = shape_of(image);
      const BlurKernel kernel{int64_t(kernels[2 * i + 1]), int64_t(kernels[2 * i])};
      INFO("kernel " << kernel.width << "x" << kernel.height << ", sigma " << sigmas[i]);
      std::vector<float> out = values("image." + image);
      gaussian_blur(out, shape, kernel, sigmas[i]);
      expect(image + ".blur." + std::to_string(i), out, shape.shape(), kBlend);
    }
}

TEST_CASE("Augment.Golden.equalize", "[golden]") {
  // rgb: 64 distinct levels per channel; levels: six levels, repeated; constant: one level,
  // so torchvision keeps it (step 0) but still quantises 0.3 to 76 / 255.
  for (const std::string& image : kImages) {
    const ImageShape shape = shape_of(image);
    std::vector<float> out = values("image." + image);
    equalize(out, shape);
    expect(image + ".equalize", out, shape.shape(), kExact);
  }
}

TEST_CASE("Augment.Golden.jitter_in_a_given_order", "[golden]") {
  const std::vector<float> orders = values("jitter.orders"), factors = values("jitter.factors");  // (N, 4) each
  for (const std::string& image : kImages)
    for (size_t i = 0; i < orders.size() / 4; ++i) {
      JitterParams params;
      for (size_t k = 0; k < 4; ++k) params.order[k] = ColorAdjustment(int(orders[4 * i + k]));
      params.brightness = factors[4 * i];
      params.contrast = factors[4 * i + 1];
      params.saturation = factors[4 * i + 2];
      params.hue = factors[4 * i + 3];
      const ImageShape shape = shape_of(image);
      std::vector<float> out = values("image." + image);
      apply_jitter(out, shape, params);
      expect(image + ".jitter." + std::to_string(i), out, shape.shape(), kHue);
    }
}

// ---- the random transforms -----------------------------------------------------------------------

TEST_CASE("Augment.ColorJitter.draws_as_torchvision", "[plugin]") {
  const JitterStrengths strengths{0.4f, 0.3f, 1.0f, 0.1f};
  std::set<std::vector<int>> orders;
  float low[4] = {10, 10, 10, 10}, high[4] = {-10, -10, -10, -10};
  for (uint64_t index = 0; index < 2000; ++index) {
    Rng rng(9, "jitter", index);
    const JitterParams params = sample_jitter_params(strengths, rng);
    std::vector<int> order;
    for (ColorAdjustment a : params.order) order.push_back(int(a));
    CHECK(std::is_permutation(order.begin(), order.end(), std::vector<int>{0, 1, 2, 3}.begin()));
    orders.insert(order);
    REQUIRE((params.brightness && params.contrast && params.saturation && params.hue));
    const float drawn[4] = {*params.brightness, *params.contrast, *params.saturation, *params.hue};
    for (int k = 0; k < 4; ++k) {
      low[k] = std::min(low[k], drawn[k]);
      high[k] = std::max(high[k], drawn[k]);
    }
  }
  CHECK(orders.size() == 24);  // every order of the four adjustments occurs
  // Factors fill [max(0, 1 - s), 1 + s] and the hue [-h, h], and stay inside.
  const float range_low[4] = {0.6f, 0.7f, 0.0f, -0.1f}, range_high[4] = {1.4f, 1.3f, 2.0f, 0.1f};
  for (int k = 0; k < 4; ++k) {
    INFO("adjustment " << k);
    const float width = range_high[k] - range_low[k];
    CHECK(low[k] >= range_low[k]);
    CHECK(low[k] < range_low[k] + 0.01f * width);
    CHECK(high[k] <= range_high[k]);
    CHECK(high[k] > range_high[k] - 0.01f * width);
  }

  Rng rng(9, "jitter");
  const JitterParams none = sample_jitter_params({0.5f, 0.0f, 0.0f, 0.0f}, rng);
  CHECK(none.brightness.has_value());
  CHECK(!none.contrast);
  CHECK(!none.saturation);
  CHECK(!none.hue);
}

TEST_CASE("Augment.ColorJitter.order_changes_the_result", "[plugin]") {
  const ImageShape shape{3, 6, 6};
  const auto image = random_image(shape);
  JitterParams params;
  params.brightness = 1.35f;
  params.contrast = 0.7f;
  params.saturation = 1.6f;
  params.hue = 0.2f;
  auto forward = image;
  apply_jitter(forward, shape, params);
  std::reverse(params.order.begin(), params.order.end());
  auto backward = image;
  apply_jitter(backward, shape, params);
  CHECK(forward != backward);
}

TEST_CASE("Augment.ColorJitter.deterministic_for_an_rng", "[plugin]") {
  const ImageShape shape{3, 8, 8};
  const auto image = random_image(shape);
  const JitterStrengths strengths{0.4f, 0.4f, 0.4f, 0.1f};
  Rng rng(4, "jitter", 17);
  Rng replay = rng;
  auto once = image, twice = image;
  color_jitter(once, shape, strengths, rng);
  color_jitter(twice, shape, strengths, replay);
  CHECK(once == twice);
  // color_jitter is apply_jitter with the parameters drawn from the same stream.
  Rng params_rng(4, "jitter", 17);
  auto by_params = image;
  apply_jitter(by_params, shape, sample_jitter_params(strengths, params_rng));
  CHECK(by_params == once);

  auto jitter = make<ColorJitter>();
  jitter.setup(shape.shape(), kSetup);
  CHECK(apply(jitter, image, 5) == apply(jitter, image, 5));
}

TEST_CASE("Augment.ColorJitter.probability", "[plugin]") {
  check_probability<ColorJitter>({3, 8, 8}, {});
  check_probability<ColorJitter>({1, 8, 8}, {});  // brightness and contrast still apply to grey
  auto off = make<ColorJitter>({{"strength", 0.0}, {"saturation", 0.0}, {"hue", 0.0}, {"p", 1.0}});
  const ImageShape shape{3, 5, 5};
  off.setup(shape.shape(), kSetup);
  const auto image = random_image(shape);
  CHECK(apply(off, image, 0) == image);
}

TEST_CASE("Augment.ColorJitter.grey_images_have_no_saturation_or_hue", "[plugin]") {
  const ImageShape grey{1, 7, 7};
  const auto image = random_image(grey);
  for (float factor : {0.0f, 0.5f, 2.0f}) {
    auto out = image;
    adjust_saturation(out, grey, factor);
    CHECK(out == image);
  }
  for (float shift : {-0.5f, 0.1f, 0.5f}) {
    auto out = image;
    adjust_hue(out, grey, shift);
    CHECK(out == image);
  }
  auto jitter = make<ColorJitter>({{"strength", 0.0}, {"saturation", 1.0}, {"hue", 0.5}, {"p", 1.0}});
  jitter.setup(grey.shape(), kSetup);
  for (uint64_t index = 0; index < 10; ++index) CHECK(apply(jitter, image, index) == image);
  // The same options do change an RGB image.
  const ImageShape rgb{3, 7, 7};
  jitter.setup(rgb.shape(), kSetup);
  const auto colour = random_image(rgb);
  CHECK(apply(jitter, colour, 0) != colour);
}

TEST_CASE("Augment.ColorJitter.channels_other_than_1_or_3_are_refused", "[plugin]") {
  for (int64_t channels : {2, 4}) {
    INFO(channels << " channels");
    const Shape shape{channels, 4, 4};
    CHECK_THROWS_WITH(make<ColorJitter>().setup(shape, kSetup), Contains("color_jitter") && Contains("RGB"));
    CHECK_THROWS_AS(make<RandomGrayscale>().setup(shape, kSetup), sslflow::ShapeError);
    std::vector<float> image(size_t(channels * 16), 0.5f);
    const ImageShape image_shape{channels, 4, 4};
    CHECK_THROWS_AS(adjust_hue(image, image_shape, 0.1f), sslflow::ShapeError);
    CHECK_THROWS_AS(adjust_saturation(image, image_shape, 0.5f), sslflow::ShapeError);
    CHECK_THROWS_AS(adjust_contrast(image, image_shape, 0.5f), sslflow::ShapeError);
  }
  std::vector<float> short_image(10, 0.5f);
  CHECK_THROWS_AS(adjust_hue(short_image, {3, 2, 2}, 0.1f), sslflow::ShapeError);
}

TEST_CASE("Augment.RandomGrayscale.probability", "[plugin]") {
  check_probability<RandomGrayscale>({3, 6, 6}, {}, to_grayscale);
  const ImageShape rgb{3, 6, 6};
  auto always = make<RandomGrayscale>({{"p", 1.0}});
  always.setup(rgb.shape(), kSetup);
  const auto out = apply(always, random_image(rgb), 0);
  for (int64_t i = 0; i < rgb.plane(); ++i) {
    CHECK(out[size_t(i)] == out[size_t(i + rgb.plane())]);
    CHECK(out[size_t(i)] == out[size_t(i + 2 * rgb.plane())]);
  }
  // A grey image is its own grey level.
  const ImageShape grey{1, 6, 6};
  always.setup(grey.shape(), kSetup);
  const auto image = random_image(grey);
  CHECK(apply(always, image, 0) == image);
}

TEST_CASE("Augment.Solarize.probability", "[plugin]") {
  check_probability<Solarize>({3, 6, 6}, {}, [](std::span<float> image, const ImageShape&) { solarize(image, 0.5f); });
}

TEST_CASE("Augment.Equalize.probability", "[plugin]") { check_probability<Equalize>({3, 6, 6}, {}, equalize); }

TEST_CASE("Augment.Equalize.bad_values_do_not_crash", "[plugin]") {
  std::vector<float> image{-3.0f, 2.0f, std::numeric_limits<float>::quiet_NaN(), 0.5f};
  equalize(image, {1, 2, 2});
  for (float x : image) {
    CHECK(x >= 0.0f);
    CHECK(x <= 1.0f);
  }
}

TEST_CASE("Augment.GaussianBlur.kernel_is_ten_percent_of_the_side", "[plugin]") {
  CHECK(blur_kernel_side(224) == 23);  // BYOL's 23 x 23 kernel for 224 x 224 crops
  CHECK(blur_kernel_side(96) == 9);
  CHECK(blur_kernel_side(28) == 3);
  CHECK(blur_kernel_side(20) == 3);
  CHECK(blur_kernel_side(19) == 1);

  // The transform blurs a 28 x 30 image with a 3 x 3 kernel: with sigma fixed, exactly the primitive's result.
  const ImageShape shape{3, 28, 30};
  const auto image = random_image(shape);
  auto blur = make<GaussianBlur>({{"p", 1.0}, {"sigma", floats({1.5, 1.5})}});
  blur.setup(shape.shape(), kSetup);
  auto expected = image;
  gaussian_blur(expected, shape, {3, 3}, 1.5f);
  CHECK(apply(blur, image, 0) == expected);
  auto wide = make<GaussianBlur>({{"p", 1.0}, {"sigma", floats({1.5, 1.5})}, {"kernel", 7}});
  wide.setup(shape.shape(), kSetup);
  auto expected_wide = image;
  gaussian_blur(expected_wide, shape, {7, 7}, 1.5f);
  CHECK(apply(wide, image, 0) == expected_wide);

  check_probability<GaussianBlur>(shape, {{"sigma", floats({1.0, 2.0})}});  // sigma 0.1 leaves a 3 x 3 kernel ~ 1
}

TEST_CASE("Augment.GaussianBlur.bad_kernels_are_errors", "[plugin]") {
  std::vector<float> image(25, 0.5f);
  CHECK_THROWS_AS(gaussian_blur(image, {1, 5, 5}, {4, 3}, 1.0f), sslflow::ShapeError);   // even
  CHECK_THROWS_AS(gaussian_blur(image, {1, 5, 5}, {3, 11}, 1.0f), sslflow::ShapeError);  // half 5 >= width 5
  CHECK_THROWS_WITH(make<GaussianBlur>({{"kernel", 11}}).setup(Shape{1, 5, 5}, kSetup),
                    Contains("gaussian_blur") && Contains("kernel"));
  const auto even = Params::resolve("transform/test", GaussianBlur::schema(), Value(Value::Map{{"kernel", 4}}));
  CHECK_THROWS_WITH(GaussianBlur::check(even), Contains("'kernel'"));
  const auto blur_kernel = Params::resolve("view", Augment::schema(), Value(Value::Map{{"blur_kernel", 8}}));
  CHECK_THROWS_WITH(Augment::check(blur_kernel), Contains("'blur_kernel'"));
}

TEST_CASE("Augment.View.colour_recipes", "[plugin]") {
  const ImageShape shape{3, 24, 24};
  const auto image = random_image(shape);
  const Value::Map whole{{"crop", floats({1.0, 1.0})}, {"ratio", floats({1.0, 1.0})}, {"flip", 0.0}};
  SECTION("grayscale 1 turns every view grey") {
    Value::Map options = whole;
    options.insert(options.end(), {{"jitter", 0.0}, {"saturation", 0.0}, {"hue", 0.0}, {"grayscale", 1.0}});
    auto view = make<Augment>(options);
    REQUIRE(view.setup(shape.shape(), kSetup) == shape.shape());
    auto expected = image;
    to_grayscale(expected, shape);
    CHECK(apply(view, image, 0) == expected);
  }
  SECTION("equalize 1 equalises every view") {
    Value::Map options = whole;
    options.insert(options.end(),
                   {{"jitter", 0.0}, {"saturation", 0.0}, {"hue", 0.0}, {"grayscale", 0.0}, {"equalize", 1.0}});
    auto view = make<Augment>(options);
    view.setup(shape.shape(), kSetup);
    auto expected = image;
    equalize(expected, shape);
    CHECK(apply(view, image, 0) == expected);
  }
  SECTION("saturation and hue alone jitter an RGB view") {
    Value::Map options = whole;
    options.insert(options.end(), {{"jitter", 0.0}, {"grayscale", 0.0}, {"jitter_prob", 1.0}});
    auto view = make<Augment>(options);
    view.setup(shape.shape(), kSetup);
    CHECK(apply(view, image, 0) != image);
  }
  SECTION("BYOL's two views") {
    Value::Map first{{"saturation", 0.2}, {"blur", 1.0}, {"solarize", 0.0}};
    Value::Map second{{"saturation", 0.2}, {"blur", 0.1}, {"solarize", 0.2}};
    for (const auto& options : {first, second}) {
      auto view = make<Augment>(options);
      REQUIRE(view.setup(shape.shape(), kSetup) == shape.shape());
      CHECK(apply(view, image, 3) == apply(view, image, 3));
      CHECK(apply(view, image, 3) != apply(view, image, 4));
    }
  }
}
