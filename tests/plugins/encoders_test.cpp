#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../golden/golden.hpp"
#include "builtin_registry.hpp"
#include "sslflow/interfaces/encoder.hpp"
#include "sslflow/io/safetensors.hpp"
#include "sslflow/testing/gradcheck.hpp"

using sslflow::Encoder;
using sslflow::NodeSetup;
using sslflow::Rng;
using sslflow::Shape;
using sslflow::Tensor;
using sslflow::Value;
using sslflow::Var;
using sslflow::testing::builtin_registry;
using sslflow::testing::make_builtin;

namespace {

// Encoder `name` with `options`, set up for samples of `sample`.
std::shared_ptr<Encoder> make_encoder(const std::string& name, Value::Map options, const Shape& sample) {
  auto encoder = make_builtin<Encoder>(name, Value(std::move(options)));
  encoder->setup(sample, NodeSetup{"backbone", 5});
  return encoder;
}

Value ints(std::vector<int64_t> values) { return Value(Value::List(values.begin(), values.end())); }

Tensor random_tensor(const Shape& shape, uint64_t index = 0) {
  Tensor t(shape);
  Rng rng(17, "test.encoders", index);
  for (float& v : t.values()) v = rng.normal();
  return t;
}

// A (B, T) mask with `masked` tokens set in every row.
Tensor first_tokens_masked(int64_t batch, int64_t tokens, const std::vector<int64_t>& masked) {
  Tensor mask(Shape{batch, tokens});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t : masked) mask.data()[b * tokens + t] = 1.0f;
  return mask;
}

std::map<std::string, Shape> parameter_shapes(const Encoder& encoder) {
  std::map<std::string, Shape> shapes;
  for (const auto& [name, p] : encoder.named_parameters()) shapes.emplace(name, p.shape());
  return shapes;
}

std::vector<std::string> output_names(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& port : builtin_registry().find(Encoder::kKind, name)->signature.outputs) names.push_back(port.name);
  return names;
}

// True when token `token` of the (B, T, D) tensors a and b is the same in every sample.
bool tokens_equal(const Tensor& a, const Tensor& b, int64_t token) {
  const int64_t tokens = a.dim(1), dim = a.dim(2);
  for (int64_t s = 0; s < a.dim(0); ++s)
    for (int64_t k = 0; k < dim; ++k) {
      const int64_t i = (s * tokens + token) * dim + k;
      if (a.data()[i] != b.data()[i]) return false;
    }
  return true;
}

bool all_equal(const Tensor& a, const Tensor& b) {
  if (!(a.shape() == b.shape())) return false;
  for (int64_t i = 0; i < a.numel(); ++i)
    if (a.data()[i] != b.data()[i]) return false;
  return true;
}

}  // namespace

// ---- shapes, names and layouts ---------------------------------------------------------

TEST_CASE("Encoders.Mlp.flat_shapes_and_names", "[plugin]") {
  auto mlp = make_encoder("mlp", {}, Shape{1, 28, 28});
  auto out = mlp->forward(Var(random_tensor(Shape{2, 1, 28, 28})), {});
  CHECK(out.features.shape() == Shape{2, 256});
  CHECK_FALSE(out.tokens.defined());
  CHECK(out.blocks.empty());
  CHECK(mlp->feature_dim() == 256);
  const auto shapes = parameter_shapes(*mlp);
  CHECK(shapes.size() == 10);
  CHECK(shapes.at("layers.0.fc.weight") == Shape{512, 784});
  CHECK(shapes.at("layers.0.bn.weight") == Shape{512});
  CHECK(shapes.at("layers.1.fc.weight") == Shape{512, 512});
  CHECK(shapes.at("layers.2.fc.weight") == Shape{256, 512});
  CHECK(shapes.at("layers.2.fc.bias") == Shape{256});
  CHECK(shapes.count("layers.2.bn.weight") == 0);
}

TEST_CASE("Encoders.Mlp.without_batch_norm", "[plugin]") {
  auto mlp = make_encoder("mlp", {{"hidden", ints({32})}, {"out_dim", 16}, {"batch_norm", false}}, Shape{1, 8, 8});
  CHECK(parameter_shapes(*mlp).size() == 4);
  CHECK(mlp->named_buffers().empty());
  CHECK(mlp->forward(Var(random_tensor(Shape{3, 1, 8, 8})), {}).features.shape() == Shape{3, 16});
}

TEST_CASE("Encoders.Mlp.token_shapes_and_names", "[plugin]") {
  auto mlp = make_encoder("mlp", {{"patch", 7}}, Shape{1, 28, 28});
  auto out = mlp->forward(Var(random_tensor(Shape{2, 1, 28, 28})), first_tokens_masked(2, 16, {3}));
  CHECK(out.features.shape() == Shape{2, 64});
  CHECK(out.tokens.shape() == Shape{2, 16, 64});
  REQUIRE(out.blocks.size() == 2);
  for (const Var& block : out.blocks) CHECK(block.shape() == Shape{2, 16, 64});
  CHECK(out.tokens.id() == out.blocks.back().id());
  CHECK(mlp->feature_dim() == 64);
  const auto shapes = parameter_shapes(*mlp);
  CHECK(shapes.size() == 5);
  CHECK(shapes.at("mask_token") == Shape{1, 1, 49});
  CHECK(shapes.at("layers.0.fc.weight") == Shape{64, 49});
  CHECK(shapes.at("layers.1.fc.weight") == Shape{64, 64});
}

TEST_CASE("Encoders.ConvNet.shapes_and_names", "[plugin]") {
  auto convnet = make_encoder("convnet", {}, Shape{1, 28, 28});
  auto out = convnet->forward(Var(random_tensor(Shape{2, 1, 28, 28})), {});
  CHECK(out.features.shape() == Shape{2, 128});
  CHECK_FALSE(out.tokens.defined());
  CHECK(out.blocks.empty());
  CHECK(convnet->feature_dim() == 128);
  const auto shapes = parameter_shapes(*convnet);
  CHECK(shapes.size() == 9);
  CHECK(shapes.at("stages.0.conv.weight") == Shape{32, 1, 3, 3});
  CHECK(shapes.at("stages.1.conv.weight") == Shape{64, 32, 3, 3});
  CHECK(shapes.at("stages.2.conv.weight") == Shape{128, 64, 3, 3});
  CHECK(shapes.at("stages.2.bn.bias") == Shape{128});
  CHECK(shapes.count("stages.0.conv.bias") == 0);
  CHECK(output_names("convnet") == std::vector<std::string>{"out"});
}

TEST_CASE("Encoders.ConvNet.grid_cells_average_to_the_global_pool", "[plugin]") {
  const Tensor images = random_tensor(Shape{3, 1, 8, 8});
  auto global = make_encoder("convnet", {{"channels", ints({4, 5})}, {"strides", ints({1, 2})}}, Shape{1, 8, 8});
  auto cells =
      make_encoder("convnet", {{"channels", ints({4, 5})}, {"strides", ints({1, 2})}, {"grid", 4}}, Shape{1, 8, 8});
  CHECK(cells->feature_dim() == 80);
  const Tensor pooled = global->forward(Var(images), {}).features.value();  // (3, 5)
  const Tensor grid = cells->forward(Var(images), {}).features.value();     // (3, 5 * 4 * 4), channel-major
  REQUIRE(grid.shape() == Shape{3, 80});
  for (int64_t n = 0; n < 3; ++n)
    for (int64_t c = 0; c < 5; ++c) {
      double mean = 0;
      for (int64_t cell = 0; cell < 16; ++cell) mean += grid.data()[n * 80 + c * 16 + cell] / 16.0;
      CHECK(mean == Approx(pooled.data()[n * 5 + c]).margin(1e-5));
    }
  auto two = make_encoder("convnet", {{"grid", 2}}, Shape{1, 28, 28});
  CHECK(two->forward(Var(random_tensor(Shape{2, 1, 28, 28})), {}).features.shape() == Shape{2, 512});
  CHECK_THROWS_WITH(make_encoder("convnet", {{"grid", 8}}, Shape{1, 28, 28}),
                    Catch::Matchers::Contains("`grid` 8 does not cut the last stage's 7x7 map into equal windows; "
                                              "grids that do: 1, 2, 3, 6, 7"));
  CHECK_THROWS_WITH(make_encoder("convnet", {{"grid", 4}}, Shape{1, 28, 28}),
                    Catch::Matchers::Contains("`grid` 4 does not cut"));
  auto three = make_encoder("convnet", {{"grid", 3}}, Shape{1, 28, 28});
  CHECK(three->forward(Var(random_tensor(Shape{2, 1, 28, 28})), {}).features.shape() == Shape{2, 1152});
}

TEST_CASE("Encoders.Vit.shapes_and_names", "[plugin]") {
  auto vit = make_encoder("vit", {}, Shape{1, 28, 28});
  auto out = vit->forward(Var(random_tensor(Shape{2, 1, 28, 28})), first_tokens_masked(2, 16, {0, 5}));
  CHECK(out.features.shape() == Shape{2, 64});
  CHECK(out.tokens.shape() == Shape{2, 16, 64});
  REQUIRE(out.blocks.size() == 4);
  for (const Var& block : out.blocks) CHECK(block.shape() == Shape{2, 16, 64});
  CHECK(vit->feature_dim() == 64);
  const auto shapes = parameter_shapes(*vit);
  CHECK(shapes.size() == 3 + 2 + 4 * 12 + 2);
  CHECK(shapes.at("cls_token") == Shape{1, 1, 64});
  CHECK(shapes.at("pos_embed") == Shape{1, 17, 64});
  CHECK(shapes.at("mask_token") == Shape{1, 1, 64});
  CHECK(shapes.at("patch_embed.proj.weight") == Shape{64, 1, 7, 7});
  CHECK(shapes.at("patch_embed.proj.bias") == Shape{64});
  CHECK(shapes.at("blocks.0.norm1.weight") == Shape{64});
  CHECK(shapes.at("blocks.0.attn.in_proj_weight") == Shape{192, 64});
  CHECK(shapes.at("blocks.0.attn.in_proj_bias") == Shape{192});
  CHECK(shapes.at("blocks.0.attn.out_proj.weight") == Shape{64, 64});
  CHECK(shapes.at("blocks.3.norm2.bias") == Shape{64});
  CHECK(shapes.at("blocks.3.mlp.fc1.weight") == Shape{256, 64});
  CHECK(shapes.at("blocks.3.mlp.fc2.weight") == Shape{64, 256});
  CHECK(shapes.at("norm.weight") == Shape{64});
  CHECK(output_names("vit") == std::vector<std::string>{"out", "tokens", "blocks"});
}

TEST_CASE("Encoders.Vit.initialisation_is_seeded", "[plugin]") {
  auto a = make_encoder("vit", {{"depth", 1}}, Shape{1, 28, 28});
  auto b = make_encoder("vit", {{"depth", 1}}, Shape{1, 28, 28});
  const auto pa = a->named_parameters(), pb = b->named_parameters();
  REQUIRE(pa.size() == pb.size());
  for (size_t i = 0; i < pa.size(); ++i) CHECK(all_equal(pa[i].second.value(), pb[i].second.value()));
  CHECK_FALSE(all_equal(a->named_parameters()[0].second.value(), a->named_parameters()[2].second.value()));
}

TEST_CASE("Encoders.MaskToken.truncated_normal_as_torch", "[plugin]") {
  // torch.nn.init.trunc_normal_(t, std=0.02) cuts at its default a = -2, b = 2 (values, not
  // standard deviations), so a mask token is N(0, 0.02^2): about 4.6% of its values lie
  // beyond two standard deviations (0.04), which a cut at +-2 std would never give.
  for (const auto& [name, options] : {std::pair{"vit", Value::Map{{"dim", 1024}, {"heads", 1}, {"depth", 1}}},
                                      std::pair{"mlp", Value::Map{{"patch", 28}, {"layers", 1}, {"dim", 4}}}}) {
    INFO(name);
    auto encoder = make_encoder(name, options, Shape{1, 28, 28});
    Tensor token;
    for (const auto& [n, p] : encoder->named_parameters())
      if (n == "mask_token") token = p.value();
    REQUIRE(token.numel() >= 784);
    double squares = 0.0;
    int64_t beyond_two_std = 0;
    for (float x : token.values()) {
      squares += double(x) * x;
      beyond_two_std += std::abs(x) > 0.04f;
      CHECK(std::abs(x) <= 2.0f);
    }
    const double std = std::sqrt(squares / double(token.numel()));
    const double fraction = double(beyond_two_std) / double(token.numel());
    INFO("std " << std << ", fraction beyond 0.04: " << fraction);
    CHECK(std > 0.018);  // a cut at +-2 std would give 0.0176
    CHECK(std < 0.022);
    CHECK(fraction > 0.02);
    CHECK(fraction < 0.08);
  }
}

// ---- errors --------------------------------------------------------------------------------

TEST_CASE("Encoders.Errors.name_the_plugin", "[plugin]") {
  using Catch::Matchers::Contains;
  auto vit = make_builtin<Encoder>("vit", Value(Value::Map{{"patch", 5}}));
  CHECK_THROWS_MATCHES(vit->setup(Shape{1, 28, 28}, NodeSetup{"backbone", 1}), sslflow::ShapeError,
                       Catch::Matchers::Message("vit: patch size 5 does not divide the image size 28 x 28 of "
                                                "samples [1, 28, 28]"));
  CHECK_THROWS_AS(make_builtin<Encoder>("vit", Value(Value::Map{{"dim", 10}, {"heads", 4}})), sslflow::OptionError);
  CHECK_THROWS_AS(make_builtin<Encoder>("convnet", Value(Value::Map{{"strides", ints({1, 2})}})),
                  sslflow::OptionError);

  auto tiny = make_encoder("vit", {{"dim", 8}, {"depth", 1}, {"heads", 2}, {"patch", 4}}, Shape{1, 8, 8});
  CHECK_THROWS_WITH(tiny->forward(Var(random_tensor(Shape{2, 1, 8, 4})), {}),
                    Contains("vit: expected input [B, 1, 8, 8]") && Contains("got [2, 1, 8, 4]"));
  CHECK_THROWS_WITH(tiny->forward(Var(random_tensor(Shape{2, 1, 8, 8})), Tensor(Shape{2, 3})),
                    Contains("vit: expected a mask of shape [2, 4]"));
  auto convnet = make_encoder("convnet", {{"channels", ints({4})}, {"strides", ints({1})}}, Shape{1, 8, 8});
  CHECK_THROWS_WITH(convnet->forward(Var(random_tensor(Shape{2, 1, 8, 8})), Tensor(Shape{2, 4})),
                    Contains("convnet: has no tokens to mask"));
  auto mlp = make_encoder("mlp", {{"hidden", ints({4})}, {"out_dim", 2}}, Shape{1, 8, 8});
  CHECK_THROWS_WITH(mlp->forward(Var(random_tensor(Shape{2, 1, 8, 8})), Tensor(Shape{2, 4})),
                    Contains("mlp: a mask needs tokens"));
  CHECK_THROWS_WITH(make_encoder("convnet", {}, Shape{28, 28}),
                    Contains("convnet: expected images of shape [C, H, W]"));
}

// ---- masks -------------------------------------------------------------------------------------

TEST_CASE("Encoders.Mlp.mask_changes_exactly_the_masked_tokens", "[plugin]") {
  auto mlp = make_encoder("mlp", {{"patch", 4}, {"layers", 2}, {"dim", 8}}, Shape{1, 8, 8});
  const Var x(random_tensor(Shape{2, 1, 8, 8}));
  const Tensor plain = mlp->forward(x, {}).tokens.value();
  const Tensor masked = mlp->forward(x, first_tokens_masked(2, 4, {1, 2})).tokens.value();
  CHECK(tokens_equal(plain, masked, 0));
  CHECK(tokens_equal(plain, masked, 3));
  CHECK_FALSE(tokens_equal(plain, masked, 1));
  CHECK_FALSE(tokens_equal(plain, masked, 2));
  // Every masked token is the encoded mask token.
  for (int64_t k = 0; k < 8; ++k) CHECK(masked.data()[8 + k] == masked.data()[2 * 8 + k]);
  CHECK(all_equal(plain, mlp->forward(x, Tensor(Shape{2, 4})).tokens.value()));
}

TEST_CASE("Encoders.Vit.mask_hides_exactly_the_masked_patches", "[plugin]") {
  auto vit = make_encoder("vit", {{"dim", 8}, {"depth", 2}, {"heads", 2}, {"patch", 4}}, Shape{1, 8, 8});
  Tensor image = random_tensor(Shape{2, 1, 8, 8});
  Tensor changed = image.clone();
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t y = 0; y < 4; ++y) changed.data()[b * 64 + y * 8 + 4 + y] += 3.0f;  // inside patch 1
  const Tensor mask = first_tokens_masked(2, 4, {1});
  const auto a = vit->forward(Var(image), mask);
  const auto b = vit->forward(Var(changed), mask);
  CHECK(all_equal(a.features.value(), b.features.value()));
  CHECK(all_equal(a.tokens.value(), b.tokens.value()));
  CHECK_FALSE(all_equal(a.tokens.value(), vit->forward(Var(image), {}).tokens.value()));
  CHECK_FALSE(all_equal(a.tokens.value(), vit->forward(Var(changed), first_tokens_masked(2, 4, {2})).tokens.value()));
  CHECK(all_equal(vit->forward(Var(image), Tensor(Shape{2, 4})).tokens.value(),
                  vit->forward(Var(image), {}).tokens.value()));
}

TEST_CASE("Encoders.Vit.drop_runs_the_blocks_on_the_visible_patches_only", "[plugin]") {
  auto vit = make_encoder("vit", {{"dim", 8}, {"depth", 2}, {"heads", 2}, {"patch", 4}, {"masked", "drop"}},
                          Shape{1, 8, 8});
  Tensor image = random_tensor(Shape{2, 1, 8, 8});
  Tensor changed = image.clone();
  for (int64_t y = 0; y < 4; ++y) {
    changed.data()[y * 8 + 4 + y] += 3.0f;       // sample 0, inside patch 1
    changed.data()[64 + y * 8 + y] += 3.0f;      // sample 1, inside patch 0
  }
  Tensor mask(Shape{2, 4}, std::vector<float>{0, 1, 0, 1, 1, 0, 1, 0});  // two patches kept in each sample
  const auto a = vit->forward(Var(image), mask);
  CHECK(a.tokens.shape() == Shape{2, 2, 8});
  CHECK(a.features.shape() == Shape{2, 8});
  REQUIRE(a.blocks.size() == 2);
  CHECK(a.blocks.front().shape() == Shape{2, 2, 8});
  const auto b = vit->forward(Var(changed), mask);
  CHECK(all_equal(a.features.value(), b.features.value()));
  CHECK(all_equal(a.tokens.value(), b.tokens.value()));
  // A patch changed where it is visible changes the output.
  CHECK_FALSE(all_equal(a.tokens.value(), vit->forward(Var(changed), Tensor(Shape{2, 4}, std::vector<float>{
                                                                               1, 0, 1, 0, 0, 1, 0, 1}))
                                               .tokens.value()));
  // Without a mask, or with nothing masked (evaluation), every patch is encoded.
  const auto full = vit->forward(Var(image), {});
  CHECK(full.tokens.shape() == Shape{2, 4, 8});
  CHECK(all_equal(full.tokens.value(), vit->forward(Var(image), Tensor(Shape{2, 4})).tokens.value()));
  // Dropping has no mask token; unmasked, a replacing ViT with the same weights agrees.
  auto replacing = make_encoder("vit", {{"dim", 8}, {"depth", 2}, {"heads", 2}, {"patch", 4}}, Shape{1, 8, 8});
  CHECK(vit->named_parameters().size() + 1 == replacing->named_parameters().size());
  replacing->load_state_dict(vit->state_dict(), false);
  CHECK(all_equal(full.tokens.value(), replacing->forward(Var(image), {}).tokens.value()));
  CHECK(replacing->forward(Var(image), mask).tokens.shape() == Shape{2, 4, 8});
}

TEST_CASE("Encoders.Vit.drop_needs_as_many_visible_patches_in_every_sample", "[plugin]") {
  auto vit = make_encoder("vit", {{"dim", 8}, {"depth", 1}, {"heads", 2}, {"patch", 4}, {"masked", "drop"}},
                          Shape{1, 8, 8});
  const Tensor mask(Shape{2, 4}, std::vector<float>{0, 1, 0, 1, 1, 0, 0, 0});
  CHECK_THROWS_MATCHES(vit->forward(Var(random_tensor(Shape{2, 1, 8, 8})), mask), sslflow::ShapeError,
                       Catch::Matchers::Message("vit: dropping the masked tokens needs every sample to keep as many, "
                                                "but sample 0 keeps 2 of 4 and sample 1 keeps 3"));
  CHECK_THROWS_AS(make_builtin<Encoder>("vit", Value(Value::Map{{"masked", "hide"}})), sslflow::OptionError);
}

TEST_CASE("Encoders.Vit.sincos_positions_are_a_fixed_buffer", "[plugin]") {
  auto vit = make_encoder("vit", {{"dim", 8}, {"depth", 1}, {"heads", 2}, {"patch", 4}, {"positions", "sincos"}},
                          Shape{1, 8, 8});
  for (const auto& [name, p] : vit->named_parameters()) CHECK(name != "pos_embed");
  const auto buffers = vit->named_buffers();
  REQUIRE(buffers.size() == 1);
  CHECK(buffers.front().first == "pos_embed");
  const Tensor& pos = buffers.front().second;
  REQUIRE(pos.shape() == Shape{1, 5, 8});
  // The class token's row is 0; the patch at grid row 1, column 0 (token 3) is
  // [sin 0, sin 0, cos 0, cos 0, sin 1, sin 1e-2, cos 1, cos 1e-2].
  for (int64_t k = 0; k < 8; ++k) CHECK(pos.data()[k] == 0.0f);
  const std::vector<double> token3{0, 0, 1, 1, std::sin(1.0), std::sin(0.01), std::cos(1.0), std::cos(0.01)};
  for (int64_t k = 0; k < 8; ++k) CHECK(std::abs(pos.data()[3 * 8 + k] - token3[size_t(k)]) < 1e-7);
  CHECK_THROWS_AS(make_builtin<Encoder>("vit", Value(Value::Map{{"dim", 6}, {"heads", 2}, {"positions", "sincos"}})),
                  sslflow::OptionError);
}

// ---- gradients -----------------------------------------------------------------------------------

namespace {

// Moves every parameter away from its initialisation: zero biases and a tiny mask token put
// ReLU inputs within a finite-difference step of the kink.
void spread_parameters(Encoder& encoder) {
  Rng rng(23, "test.encoders.spread");
  for (Var& p : encoder.parameters())
    for (float& v : p.value().values()) v += 0.5f * rng.normal();
}

// Checks d sum(w * pick(output)) / d every parameter of `encoder` by finite differences.
void check_parameter_gradients(Encoder& encoder, const Var& x, const Tensor& mask,
                               const std::function<Var(const Encoder::Output&)>& pick) {
  spread_parameters(encoder);
  sslflow::testing::GradcheckOptions options;
  options.eps = 1e-3;
  options.atol = 5e-3;
  const auto result = sslflow::testing::gradcheck(
      [&](const std::vector<Var>&) { return pick(encoder.forward(x, mask)); }, encoder.parameters(), options);
  INFO(result.report);
  CHECK(result.entries_checked > 0);
  CHECK(result.ok);
}

Var features(const Encoder::Output& out) { return out.features; }
Var tokens(const Encoder::Output& out) { return out.tokens; }
Var first_block(const Encoder::Output& out) { return out.blocks.front(); }

}  // namespace

TEST_CASE("Encoders.Mlp.gradients_flat", "[grad]") {
  auto mlp = make_encoder("mlp", {{"hidden", ints({6})}, {"out_dim", 3}}, Shape{1, 4, 4});
  check_parameter_gradients(*mlp, Var(random_tensor(Shape{4, 1, 4, 4})), {}, features);
}

TEST_CASE("Encoders.Mlp.gradients_tokens", "[grad]") {
  auto mlp = make_encoder("mlp", {{"patch", 2}, {"layers", 2}, {"dim", 4}}, Shape{1, 4, 4});
  const Var x(random_tensor(Shape{2, 1, 4, 4}));
  const Tensor mask = first_tokens_masked(2, 4, {1});
  check_parameter_gradients(*mlp, x, mask, features);
  check_parameter_gradients(*mlp, x, mask, first_block);
}

TEST_CASE("Encoders.ConvNet.gradients", "[grad]") {
  auto convnet = make_encoder("convnet", {{"channels", ints({3, 4})}, {"strides", ints({1, 2})}}, Shape{1, 4, 4});
  check_parameter_gradients(*convnet, Var(random_tensor(Shape{2, 1, 4, 4})), {}, features);
}

TEST_CASE("Encoders.Vit.gradients", "[grad]") {
  auto vit = make_encoder("vit", {{"dim", 4}, {"depth", 1}, {"heads", 2}, {"patch", 2}, {"mlp_ratio", 2.0}},
                          Shape{1, 4, 4});
  const Var x(random_tensor(Shape{2, 1, 4, 4}));
  const Tensor mask = first_tokens_masked(2, 4, {2});
  check_parameter_gradients(*vit, x, mask, features);
  check_parameter_gradients(*vit, x, mask, tokens);
}

TEST_CASE("Encoders.Vit.gradients_dropping", "[grad]") {
  auto vit = make_encoder(
      "vit", {{"dim", 4}, {"depth", 1}, {"heads", 2}, {"patch", 2}, {"mlp_ratio", 2.0}, {"masked", "drop"}},
      Shape{1, 4, 4});
  const Var x(random_tensor(Shape{2, 1, 4, 4}));
  const Tensor mask(Shape{2, 4}, std::vector<float>{0, 1, 1, 0, 1, 0, 1, 0});
  check_parameter_gradients(*vit, x, mask, features);
  check_parameter_gradients(*vit, x, mask, tokens);
}

TEST_CASE("Encoders.Vit.input_gradient", "[grad]") {
  auto vit = make_encoder("vit", {{"dim", 4}, {"depth", 1}, {"heads", 2}, {"patch", 2}}, Shape{1, 4, 4});
  sslflow::testing::GradcheckOptions options;
  options.eps = 1e-3;
  options.atol = 5e-3;
  const auto result = sslflow::testing::gradcheck(
      [&](const std::vector<Var>& in) { return vit->forward(in[0], {}).features; },
      {Var(random_tensor(Shape{2, 1, 4, 4}), true)}, options);
  INFO(result.report);
  CHECK(result.ok);
}

// ---- golden: PyTorch modules with the same names ------------------------------------------------

namespace {

// Whole networks in float32 against float64: a few more roundings than a single op.
constexpr sslflow::golden::Tolerance kOutputs{2e-5, 1e-4};
constexpr sslflow::golden::Tolerance kGrads{5e-5, 5e-4};

void check_golden(const std::string& case_name, const std::string& plugin, Value::Map options) {
  // A case of tests/plugins/data/encoders.safetensors (make_encoders_golden.py).
  const sslflow::golden::GoldenCase g(
      sslflow::golden::GoldenCase::in_file(SSLFLOW_SOURCE_DIR "/tests/plugins/data/encoders.safetensors", case_name));
  auto encoder = make_encoder(plugin, std::move(options), Shape{1, 8, 8});
  encoder->load_state_dict(g.group("state"));
  const Tensor mask = g.has("mask") ? g.tensor("mask") : Tensor();
  const auto out = encoder->forward(Var(g.tensor("input")), mask);
  g.expect("features", out.features.value(), kOutputs);
  if (g.has("tokens")) g.expect("tokens", out.tokens.value(), kOutputs);
  CHECK(out.blocks.size() == g.group("blocks").size());
  for (size_t i = 0; i < out.blocks.size(); ++i)
    g.expect("blocks." + std::to_string(i), out.blocks[i].value(), kOutputs);
  out.features.backward(g.tensor("feature_weight"));
  const auto named = encoder->named_parameters();
  CHECK(named.size() == g.group("grad").size());
  for (const auto& [name, p] : named) g.expect("grad." + name, p.grad(), kGrads);
  for (const auto& [name, expected] : g.group("updated"))
    for (const auto& [buffer, actual] : encoder->named_buffers())
      if (buffer == name) g.expect("updated." + name, actual, kOutputs);
}

}  // namespace

TEST_CASE("Encoders.Mlp.golden_flat", "[golden]") {
  check_golden("mlp", "mlp", {{"hidden", ints({16})}, {"out_dim", 8}});
}

TEST_CASE("Encoders.Mlp.golden_tokens", "[golden]") {
  check_golden("mlp_tokens", "mlp", {{"patch", 4}, {"layers", 2}, {"dim", 8}});
}

TEST_CASE("Encoders.ConvNet.golden", "[golden]") {
  check_golden("convnet", "convnet", {{"channels", ints({4, 8})}, {"strides", ints({1, 2})}});
}

TEST_CASE("Encoders.Vit.golden", "[golden]") {
  check_golden("vit", "vit", {{"dim", 8}, {"depth", 2}, {"heads", 2}, {"patch", 4}});
}
