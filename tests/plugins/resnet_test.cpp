// The resnet encoder against torchvision: names and shapes of torchvision's resnet18/34/50
// state dicts, and forward, backward and running statistics against
// tests/plugins/data/resnet.safetensors (make_resnet_golden.py).
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "../golden/golden.hpp"
#include "builtin_registry.hpp"
#include "sslflow/interfaces/encoder.hpp"
#include "sslflow/io/safetensors.hpp"

using sslflow::Encoder;
using sslflow::NodeSetup;
using sslflow::Rng;
using sslflow::Shape;
using sslflow::Tensor;
using sslflow::Value;
using sslflow::Var;
using sslflow::testing::make_builtin;

namespace {

constexpr const char* kGoldenPath = SSLFLOW_SOURCE_DIR "/tests/plugins/data/resnet.safetensors";

std::shared_ptr<Encoder> make_resnet(Value::Map options, const Shape& sample) {
  auto encoder = make_builtin<Encoder>("resnet", Value(std::move(options)));
  encoder->setup(sample, NodeSetup{"backbone", 5});
  return encoder;
}

Tensor random_images(const Shape& shape) {
  Tensor t(shape);
  Rng rng(17, "test.resnet");
  for (float& v : t.values()) v = rng.normal();
  return t;
}

using ShapesByName = std::map<std::string, Shape>;

ShapesByName state_shapes(const Encoder& encoder) {
  ShapesByName shapes;
  for (const auto& [name, t] : encoder.state_dict()) shapes.emplace(name, t.shape());
  return shapes;
}

// Metadata "keys.resnet<depth>": torchvision's state dict without fc, "<name> <d0,d1,...>" per line.
ShapesByName torchvision_state_shapes(int depth) {
  const std::string key = "keys.resnet" + std::to_string(depth);
  for (const auto& [name, text] : sslflow::io::read_safetensors(kGoldenPath).metadata) {
    if (name != key) continue;
    ShapesByName shapes;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      const size_t space = line.find(' ');
      std::vector<int64_t> extents;  // none for a scalar (num_batches_tracked)
      std::istringstream dims(line.substr(space + 1));
      for (std::string d; std::getline(dims, d, ',');) extents.push_back(std::stoll(d));
      shapes.emplace(line.substr(0, space), Shape(extents));
    }
    return shapes;
  }
  throw sslflow::FormatError(kGoldenPath, "no metadata '" + key + "'");
}

int64_t parameter_count(const Encoder& encoder) {
  int64_t count = 0;
  for (const auto& [_, p] : encoder.named_parameters()) count += p.value().numel();
  return count;
}

const Tensor& parameter(const Encoder& encoder, const std::string& name) {
  for (const auto& [n, p] : encoder.named_parameters())
    if (n == name) return p.value();
  throw sslflow::Error("no parameter " + name);
}

}  // namespace

// ---- names, shapes and initialisation -------------------------------------------------------

TEST_CASE("Encoders.ResNet.state_dict_is_torchvisions", "[plugin]") {
  // torchvision's resnet18/34/50 have 11,689,512, 21,797,672 and 25,557,032 parameters,
  // of which fc holds 513,000, 513,000 and 2,049,000.
  for (const auto& [depth, parameters] :
       {std::pair{18, 11'176'512}, std::pair{34, 21'284'672}, std::pair{50, 23'508'032}}) {
    INFO("resnet" << depth);
    auto resnet = make_resnet({{"depth", depth}}, Shape{3, 32, 32});
    CHECK(state_shapes(*resnet) == torchvision_state_shapes(depth));
    CHECK(parameter_count(*resnet) == parameters);
    CHECK(resnet->feature_dim() == (depth == 50 ? 2048 : 512));
  }
  // The cifar stem's 3x3 conv1 holds 64 * 3 * (7 * 7 - 3 * 3) = 7,680 parameters fewer.
  auto cifar = make_resnet({{"stem", "cifar"}}, Shape{3, 32, 32});
  CHECK(parameter_count(*cifar) == 11'168'832);
  CHECK(parameter(*cifar, "conv1.weight").shape() == Shape{64, 3, 3, 3});
}

TEST_CASE("Encoders.ResNet.initialised_as_torchvision", "[plugin]") {
  auto resnet = make_resnet({}, Shape{3, 32, 32});
  // kaiming_normal_(mode="fan_out", nonlinearity="relu"): std sqrt(2 / (64 * 3 * 3)).
  const Tensor& conv = parameter(*resnet, "layer1.0.conv1.weight");
  double squares = 0.0;
  for (float v : conv.values()) squares += double(v) * v;
  CHECK(std::sqrt(squares / double(conv.numel())) == Approx(std::sqrt(2.0 / 576.0)).epsilon(0.02));
  for (const auto& [name, p] : resnet->named_parameters()) {
    INFO(name);
    if (name.find("bn") == std::string::npos && name.find("downsample.1") == std::string::npos) continue;
    const float expected = name.ends_with(".weight") ? 1.0f : 0.0f;
    for (float v : p.value().values()) REQUIRE(v == expected);
  }
}

TEST_CASE("Encoders.ResNet.zero_init_residual_zeroes_each_blocks_last_norm", "[plugin]") {
  for (const auto& [depth, last_norm] : {std::pair{18, ".bn2.weight"}, std::pair{50, ".bn3.weight"}}) {
    INFO("resnet" << depth);
    auto zeroed = make_resnet({{"depth", depth}, {"width", 4}, {"zero_init_residual", true}}, Shape{3, 16, 16});
    int64_t zeroed_norms = 0;
    for (const auto& [name, p] : zeroed->named_parameters()) {
      if (!name.ends_with("bn1.weight") && !name.ends_with("bn2.weight") && !name.ends_with("bn3.weight")) continue;
      const bool last = name.ends_with(last_norm) && name.starts_with("layer");
      zeroed_norms += last;
      for (float v : p.value().values()) CHECK(v == (last ? 0.0f : 1.0f));
    }
    CHECK(zeroed_norms == (depth == 18 ? 8 : 16));  // one per block
    auto plain = make_resnet({{"depth", depth}, {"width", 4}}, Shape{3, 16, 16});
    for (float v : parameter(*plain, std::string("layer1.0") + last_norm).values()) CHECK(v == 1.0f);
  }
}

// ---- stems, input sizes and channels ----------------------------------------------------------

TEST_CASE("Encoders.ResNet.cifar_stem_on_32x32", "[plugin]") {
  auto resnet = make_resnet({{"stem", "cifar"}, {"width", 8}}, Shape{3, 32, 32});
  const auto out = resnet->forward(Var(random_images(Shape{2, 3, 32, 32})), {});
  CHECK(out.features.shape() == Shape{2, 64});
  CHECK_FALSE(out.tokens.defined());
  CHECK(out.blocks.empty());
  CHECK(resnet->feature_dim() == 64);
  // Without the stem's two stride-2 steps, a 32x32 image leaves the last stage 4x4 (32 / 2^3),
  // 16 values per channel for its batch norms from one image; the imagenet stem leaves 1x1,
  // one value, which training cannot normalise.
  auto bottleneck = make_resnet({{"depth", 50}, {"stem", "cifar"}, {"width", 2}}, Shape{3, 32, 32});
  CHECK(bottleneck->forward(Var(random_images(Shape{1, 3, 32, 32})), {}).features.shape() == Shape{1, 64});
  auto imagenet = make_resnet({{"width", 2}}, Shape{3, 32, 32});
  CHECK_THROWS_WITH(imagenet->forward(Var(random_images(Shape{1, 3, 32, 32})), {}),
                    Catch::Matchers::Contains("training needs more than one value per channel"));
}

TEST_CASE("Encoders.ResNet.one_channel_and_any_image_size", "[plugin]") {
  auto mnist = make_resnet({{"width", 4}}, Shape{1, 28, 28});
  CHECK(parameter(*mnist, "conv1.weight").shape() == Shape{4, 1, 7, 7});
  CHECK(mnist->forward(Var(random_images(Shape{2, 1, 28, 28})), {}).features.shape() == Shape{2, 32});
  auto rectangular = make_resnet({{"depth", 34}, {"stem", "cifar"}, {"width", 2}}, Shape{1, 13, 7});
  CHECK(rectangular->forward(Var(random_images(Shape{3, 1, 13, 7})), {}).features.shape() == Shape{3, 16});
}

// ---- errors ----------------------------------------------------------------------------------------

TEST_CASE("Encoders.ResNet.errors_name_the_plugin", "[plugin]") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_MATCHES(make_builtin<Encoder>("resnet", Value(Value::Map{{"depth", 20}})), sslflow::OptionError,
                       Catch::Matchers::Message("resnet: `depth` must be 18, 34 or 50 (torchvision's resnet18, "
                                                "resnet34, resnet50), got 20"));
  CHECK_THROWS_AS(make_builtin<Encoder>("resnet", Value(Value::Map{{"stem", "vgg"}})), sslflow::OptionError);
  CHECK_THROWS_AS(make_builtin<Encoder>("resnet", Value(Value::Map{{"width", 0}})), sslflow::OptionError);
  CHECK_THROWS_WITH(make_resnet({}, Shape{28, 28}), Contains("resnet: expected images of shape [C, H, W]"));
  auto resnet = make_resnet({{"width", 2}}, Shape{3, 16, 16});
  CHECK_THROWS_WITH(resnet->forward(Var(random_images(Shape{2, 1, 16, 16})), {}),
                    Contains("resnet: expected input [B, 3, H, W]") && Contains("got [2, 1, 16, 16]"));
  CHECK_THROWS_WITH(resnet->forward(Var(random_images(Shape{3, 16, 16})), {}), Contains("got [3, 16, 16]"));
  CHECK(resnet->forward(Var(random_images(Shape{2, 3, 8, 12})), {}).features.shape() == Shape{2, 16});
  CHECK_THROWS_WITH(resnet->forward(Var(random_images(Shape{2, 3, 16, 16})), Tensor(Shape{2, 4})),
                    Contains("resnet: has no tokens to mask"));
}

// ---- golden: torchvision's ResNet -------------------------------------------------------------------

namespace {

// Whole networks in float32 against float64, as the other encoders' goldens; the gradients
// of ResNet-50's first layers pass through 53 convolutions and batch norms and reach ~100,
// so they get twice the other encoders' room.
constexpr sslflow::golden::Tolerance kOutputs{2e-5, 1e-4};
constexpr sslflow::golden::Tolerance kGrads{1e-4, 1e-3};

void check_golden(const std::string& case_name, Value::Map options) {
  const sslflow::golden::GoldenCase g(sslflow::golden::GoldenCase::in_file(kGoldenPath, case_name));
  const Tensor& input = g.tensor("input");
  options.emplace_back("width", 2);
  auto resnet = make_resnet(std::move(options), Shape{input.dim(1), input.dim(2), input.dim(3)});
  const sslflow::NamedTensors state = g.group("state");
  ShapesByName golden_shapes;
  for (const auto& [name, t] : state) golden_shapes.emplace(name, t.shape());
  CHECK(state_shapes(*resnet) == golden_shapes);
  resnet->load_state_dict(state);
  const Var features = resnet->forward(Var(input), {}).features;
  g.expect("features", features.value(), kOutputs);
  features.backward(g.tensor("feature_weight"));
  const auto named = resnet->named_parameters();
  CHECK(named.size() == g.group("grad").size());
  for (const auto& [name, p] : named) g.expect("grad." + name, p.grad(), kGrads);
  const auto buffers = resnet->named_buffers();
  CHECK(buffers.size() == g.group("updated").size());
  for (const auto& [name, actual] : buffers) g.expect("updated." + name, actual, kOutputs);
}

}  // namespace

TEST_CASE("Encoders.ResNet.golden_resnet18_imagenet_stem", "[golden]") { check_golden("resnet18_imagenet", {}); }

TEST_CASE("Encoders.ResNet.golden_resnet18_cifar_stem", "[golden]") {
  check_golden("resnet18_cifar", {{"stem", "cifar"}});
}

TEST_CASE("Encoders.ResNet.golden_resnet50_one_channel", "[golden]") {
  check_golden("resnet50_imagenet", {{"depth", 50}});
}
