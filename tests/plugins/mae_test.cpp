#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "../golden/golden.hpp"
#include "builtin_registry.hpp"
#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/encoder.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/interfaces/transform.hpp"
#include "train/trainer.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using namespace sslflow;
using golden::GoldenCase;

namespace {

// An mae method built from `options`, set up for K visible tokens of width D out of the L
// patches of images [C, H, W].
std::shared_ptr<Method> make_mae(Value::Map options, int64_t visible, int64_t dim, int64_t patches,
                                 const Shape& image) {
  auto method = testing::make_builtin<Method>("mae", Value(std::move(options)));
  method->setup(
      {{"tokens", {Shape{visible, dim}}}, {"cls", {Shape{dim}}}, {"mask", {Shape{patches}}}, {"image", {image}}},
      NodeSetup{"objective", 5});
  return method;
}

StepOutput run(Method& method, const Var& tokens, const Var& cls, const Tensor& mask, const Tensor& image) {
  MethodInputs inputs;
  inputs.add("tokens", Packet{{tokens}});
  inputs.add("cls", Packet{{cls}});
  inputs.add("mask", Packet{{Var(mask)}});
  inputs.add("image", Packet{{Var(image)}});
  return method.forward(inputs);
}

Tensor random_tensor(const Shape& shape, uint64_t index = 0) {
  Tensor t(shape);
  Rng rng(29, "test.mae", index);
  for (float& v : t.values()) v = rng.normal();
  return t;
}

double metric(const Metrics& metrics, const std::string& name) {
  auto it = std::find_if(metrics.begin(), metrics.end(), [&](const auto& m) { return m.first == name; });
  INFO("metric " << name);
  REQUIRE(it != metrics.end());
  return it->second;
}

Tensor state_tensor(const Module& module, const std::string& name) {
  for (const auto& [key, value] : module.state_dict())
    if (key == name) return value;
  FAIL("no state tensor " << name);
  return {};
}

// The golden cases of make_mae_golden.py: their options and image shapes.
struct Case {
  const char* name;
  Value::Map vit;
  Value::Map mae;
};

const std::vector<Case>& golden_cases() {
  static const std::vector<Case> cases{
      {"norm_pix",
       {{"dim", 8}, {"depth", 1}, {"heads", 2}, {"patch", 2}, {"masked", "drop"}},
       {{"decoder_dim", 8}, {"decoder_depth", 2}, {"decoder_heads", 2}}},
      {"plain",
       {{"dim", 8}, {"depth", 2}, {"heads", 2}, {"patch", 4}, {"masked", "drop"}},
       {{"decoder_dim", 12}, {"decoder_depth", 1}, {"decoder_heads", 3}, {"norm_pix_loss", false}}},
  };
  return cases;
}

GoldenCase golden_case(const std::string& name) {
  return GoldenCase(GoldenCase::in_file(SSLFLOW_SOURCE_DIR "/tests/plugins/data/mae.safetensors", name));
}

// Whole networks in float32 against float64.
constexpr golden::Tolerance kNetwork{2e-5, 1e-4};
constexpr golden::Tolerance kNetworkGrad{5e-5, 1e-3};

}  // namespace

TEST_CASE("Mae.golden.method_matches_pytorch", "[plugin][golden]") {
  for (const Case& c : golden_cases()) {
    SECTION(c.name) {
      const GoldenCase g = golden_case(c.name);
      const Tensor& image = g.tensor("image");
      const Tensor& mask = g.tensor("mask");
      Var tokens = g.leaf("tokens"), cls = g.leaf("features");
      auto method = make_mae(c.mae, tokens.dim(1), tokens.dim(2), mask.dim(1),
                             Shape{image.dim(1), image.dim(2), image.dim(3)});
      // The fixed sin-cos positions it computed are util/pos_embed.py's.
      g.expect("method.decoder_pos_embed", state_tensor(*method, "decoder_pos_embed"));
      method->load_state_dict(g.group("method"));
      const StepOutput out = run(*method, tokens, cls, mask, image);
      g.expect("loss", out.loss.value(), kNetwork);
      out.loss.backward();
      g.expect("grad.tokens", tokens.grad(), kNetworkGrad);
      g.expect("grad.features", cls.grad(), kNetworkGrad);
      for (const auto& [name, p] : method->named_parameters()) g.expect("grad.method." + name, p.grad(), kNetworkGrad);
      const auto masked = std::count(mask.values().begin(), mask.values().end(), 1.0f);
      CHECK(metric(out.metrics, "masked_fraction") == double(masked) / double(mask.numel()));
    }
  }
}

TEST_CASE("Mae.golden.dropping_vit_and_decoder_match_pytorch", "[plugin][golden]") {
  for (const Case& c : golden_cases()) {
    SECTION(c.name) {
      const GoldenCase g = golden_case(c.name);
      const Tensor& image = g.tensor("image");
      const Tensor& mask = g.tensor("mask");
      auto vit = testing::make_builtin<Encoder>("vit", Value(c.vit));
      vit->setup(Shape{image.dim(1), image.dim(2), image.dim(3)}, NodeSetup{"encoder", 3});
      vit->load_state_dict(g.group("encoder"));
      const Encoder::Output encoded = vit->forward(Var(image), mask);
      g.expect("features", encoded.features.value(), kNetwork);
      g.expect("tokens", encoded.tokens.value(), kNetwork);

      auto method = make_mae(c.mae, encoded.tokens.dim(1), encoded.tokens.dim(2), mask.dim(1),
                             Shape{image.dim(1), image.dim(2), image.dim(3)});
      method->load_state_dict(g.group("method"));
      const StepOutput out = run(*method, encoded.tokens, encoded.features, mask, image);
      g.expect("loss", out.loss.value(), kNetwork);
      out.loss.backward();
      for (const auto& [name, p] : vit->named_parameters())
        g.expect("grad.encoder." + name, p.grad(), kNetworkGrad);
    }
  }
}

TEST_CASE("Mae.target.norm_pix_uses_the_unbiased_variance", "[plugin]") {
  // One patch of P = 1 over C = 2 channels, pixels 0 and 2: mean 1, unbiased variance 2
  // (torch's target.var default; biased would be 1). With the decoder's prediction at 0,
  // the loss is the mean of the squared targets, 1 / (2 + 1e-6).
  auto method = make_mae({{"decoder_dim", 4}, {"decoder_depth", 1}, {"decoder_heads", 1}}, 1, 4, 2, Shape{2, 1, 2});
  for (auto& [name, p] : method->named_parameters())
    if (name.starts_with("decoder_pred.")) p.value().fill(0.0f);
  const Tensor image(Shape{1, 2, 1, 2}, std::vector<float>{0, 5, 2, 5});  // patch 0: (0, 2); patch 1: (5, 5)
  const Tensor mask(Shape{1, 2}, std::vector<float>{1, 0});
  const StepOutput out = run(*method, Var(Tensor(Shape{1, 1, 4})), Var(Tensor(Shape{1, 4})), mask, image);
  CHECK_THAT(out.loss.value().item(), WithinAbs(1.0 / (2.0 + 1e-6), 1e-6));

  auto raw = make_mae({{"decoder_dim", 4}, {"decoder_depth", 1}, {"decoder_heads", 1}, {"norm_pix_loss", false}}, 1, 4,
                      2, Shape{2, 1, 2});
  for (auto& [name, p] : raw->named_parameters())
    if (name.starts_with("decoder_pred.")) p.value().fill(0.0f);
  CHECK_THAT(run(*raw, Var(Tensor(Shape{1, 1, 4})), Var(Tensor(Shape{1, 4})), mask, image).loss.value().item(),
             WithinAbs(2.0, 1e-6));  // (0^2 + 2^2) / 2
}

TEST_CASE("Mae.loss.counts_only_masked_patches", "[plugin]") {
  auto method = make_mae({{"decoder_dim", 8}, {"decoder_depth", 1}, {"decoder_heads", 2}}, 2, 6, 4, Shape{1, 4, 4});
  const Tensor mask(Shape{2, 4}, std::vector<float>{1, 0, 0, 1, 0, 1, 1, 0});
  const Tensor image = random_tensor(Shape{2, 1, 4, 4});
  const Var tokens(random_tensor(Shape{2, 2, 6}, 1)), cls(random_tensor(Shape{2, 6}, 2));
  const double base = run(*method, tokens, cls, mask, image).loss.value().item();
  // Pixel (0, 2) lies in patch 1: visible in sample 0, masked in sample 1.
  Tensor visible_changed = image.clone(), masked_changed = image.clone();
  visible_changed.data()[2] += 4.0f;
  masked_changed.data()[16 + 2] += 4.0f;
  CHECK(run(*method, tokens, cls, mask, visible_changed).loss.value().item() == base);
  CHECK(run(*method, tokens, cls, mask, masked_changed).loss.value().item() != base);
}

TEST_CASE("Mae.decoder.names_and_initialisation", "[plugin]") {
  auto method = make_mae({}, 4, 64, 16, Shape{1, 28, 28});
  std::vector<std::string> names;
  for (const auto& [name, value] : method->state_dict()) names.push_back(name);
  for (const char* expected : {"decoder_embed.weight", "mask_token", "decoder_blocks.7.attn.in_proj_weight",
                               "decoder_blocks.7.mlp.fc2.bias", "decoder_norm.weight", "decoder_pred.weight",
                               "decoder_pos_embed"})
    CHECK(std::find(names.begin(), names.end(), expected) != names.end());
  CHECK(state_tensor(*method, "decoder_embed.weight").shape() == Shape{512, 64});
  CHECK(state_tensor(*method, "decoder_pred.weight").shape() == Shape{49, 512});
  CHECK(state_tensor(*method, "decoder_pos_embed").shape() == Shape{1, 17, 512});
  CHECK(method->named_parameters().size() + 1 == names.size());  // the positions are not learned
  Tensor bias = state_tensor(*method, "decoder_blocks.0.mlp.fc1.bias");
  CHECK(std::all_of(bias.values().begin(), bias.values().end(), [](float v) { return v == 0.0f; }));
  // Xavier uniform: |w| <= sqrt(6 / (fan_in + fan_out)).
  Tensor w = state_tensor(*method, "decoder_embed.weight");
  const float bound = std::sqrt(6.0f / (64.0f + 512.0f));
  CHECK(std::all_of(w.values().begin(), w.values().end(), [&](float v) { return std::abs(v) <= bound; }));
}

TEST_CASE("Mae.decoder.sincos_positions_put_the_column_first", "[plugin]") {
  // A 1 x 2 grid and width 4: the patch in column j is [sin j, cos j, sin 0, cos 0].
  auto method = make_mae({{"decoder_dim", 4}, {"decoder_depth", 1}, {"decoder_heads", 1}, {"norm_pix_loss", false}}, 1,
                         4, 2, Shape{1, 1, 2});
  const Tensor pos = state_tensor(*method, "decoder_pos_embed");
  REQUIRE(pos.shape() == Shape{1, 3, 4});
  const std::vector<float> expected{0, 0, 0, 0, 0, 1, 0, 1, std::sin(1.0f), std::cos(1.0f), 0, 1};
  for (size_t i = 0; i < expected.size(); ++i) CHECK_THAT(pos.data()[i], WithinAbs(expected[i], 1e-7));
}

TEST_CASE("Mae.inputs.mismatches_are_named", "[plugin]") {
  CHECK_THROWS_WITH(make_mae({}, 4, 64, 15, Shape{1, 28, 28}),
                    Contains("mae: the mask's 15 patches do not cut the image [1, 28, 28] into square patches"));
  CHECK_THROWS_AS(testing::make_builtin<Method>("mae", Value(Value::Map{{"decoder_dim", 30}, {"decoder_heads", 3}})),
                  OptionError);
  CHECK_THROWS_AS(testing::make_builtin<Method>("mae", Value(Value::Map{{"decoder_dim", 32}, {"decoder_heads", 5}})),
                  OptionError);

  auto method = make_mae({{"decoder_dim", 8}, {"decoder_depth", 1}, {"decoder_heads", 2}}, 2, 6, 4, Shape{1, 4, 4});
  const Tensor image(Shape{2, 1, 4, 4});
  const Var tokens(Tensor(Shape{2, 2, 6})), cls(Tensor(Shape{2, 6}));
  CHECK_THROWS_WITH(run(*method, tokens, cls, Tensor(Shape{2, 4}, std::vector<float>{1, 0, 0, 1, 0, 0, 0, 1}), image),
                    Contains("mae: sample 1 of the mask leaves 3 patches visible, but the encoder gave 2 tokens"));
  // An encoder that does not drop the masked patches.
  const Tensor half(Shape{2, 4}, std::vector<float>{1, 0, 0, 1, 0, 1, 1, 0});
  CHECK_THROWS_WITH(run(*method, Var(Tensor(Shape{2, 4, 6})), cls, half, image),
                    Contains("mae: sample 0 of the mask leaves 2 patches visible, but the encoder gave 4 tokens") &&
                        Contains("vit `masked: drop`"));
  CHECK_THROWS_WITH(run(*method, Var(Tensor(Shape{2, 4, 6})), cls, Tensor(Shape{2, 4}), image),
                    Contains("mae: the mask marks no patch"));
  CHECK_THROWS_WITH(run(*method, tokens, Var(Tensor(Shape{2, 5})), Tensor(Shape{2, 4}), image), Contains("mae cls"));
  CHECK_THROWS_WITH(run(*method, tokens, cls, Tensor(Shape{2, 4}), Tensor(Shape{2, 1, 4, 5})), Contains("mae image"));
}

TEST_CASE("Mae.random_masking.keeps_int_of_the_visible_fraction_in_every_sample", "[plugin]") {
  // 16 patches: at ratio 0.75 it keeps 4. At 0.53 models_mae.py keeps int(16 * 0.47) =
  // int(7.52) = 7 and masks 9, where round(16 * 0.53) = round(8.48) would mask 8.
  auto visible_count = [](double ratio, uint64_t sample) {
    auto masking = testing::make_builtin<Transform>("random_masking", Value(Value::Map{{"ratio", ratio}}));
    REQUIRE(masking->setup(Shape{1, 28, 28}, NodeSetup{"mask", 0}) == Shape{16});
    std::vector<float> image(28 * 28), out(16, 0.5f);
    Rng rng(1, "test.mae.mask", sample);
    masking->apply(image, out, rng);
    CHECK(std::all_of(out.begin(), out.end(), [](float v) { return v == 0.0f || v == 1.0f; }));
    return std::count(out.begin(), out.end(), 0.0f);
  };
  for (uint64_t sample = 0; sample < 4; ++sample) {
    CHECK(visible_count(0.75, sample) == 4);
    CHECK(visible_count(0.53, sample) == 7);
  }
  CHECK(visible_count(1.0, 0) == 0);
  CHECK(visible_count(0.0, 0) == 16);

  // Each patch is kept in about a quarter of the samples.
  auto masking = testing::make_builtin<Transform>("random_masking");
  masking->setup(Shape{1, 28, 28}, NodeSetup{"mask", 0});
  std::vector<int> kept(16, 0);
  for (uint64_t sample = 0; sample < 4000; ++sample) {
    std::vector<float> image(28 * 28), out(16);
    Rng rng(2, "test.mae.mask", sample);
    masking->apply(image, out, rng);
    for (size_t t = 0; t < 16; ++t) kept[t] += out[t] == 0.0f;
  }
  for (int k : kept) CHECK(std::abs(k - 1000) < 120);

  auto misfit = testing::make_builtin<Transform>("random_masking", Value(Value::Map{{"patch", 5}}));
  CHECK_THROWS_WITH(misfit->setup(Shape{1, 28, 28}, NodeSetup{"mask", 0}),
                    Contains("random_masking: patch 5 does not divide the image [1, 28, 28]"));
}

TEST_CASE("Mae.pipeline.learns_on_synthetic_data", "[plugin][engine]") {
  const std::vector<std::string> overrides{
      "data={plugin: synthetic, train_size: 256, test_size: 128, num_classes: 4}",
      "train.epochs=8",
      "train.batch_size=32",
      "train.warmup_epochs=0",
      "train.optimizer.lr=1.0e-3",
      "eval=[{plugin: knn, node: encoder}]",
  };
  const auto config = PipelineConfig::load(SSLFLOW_SOURCE_DIR "/pipelines/mae_fmnist.yaml", overrides);
  const engine::RunResult result = engine::train(engine::validate(config, testing::builtin_registry()), {});
  const std::vector<double>& losses = result.losses;
  REQUIRE(losses.size() == 64);
  const double first = std::accumulate(losses.begin(), losses.begin() + 8, 0.0) / 8.0;
  const double last = std::accumulate(losses.end() - 8, losses.end(), 0.0) / 8.0;
  INFO("mean loss of the first 8 steps " << first << ", of the last 8 " << last);
  CHECK(last < 0.9 * first);
  CHECK(metric(result.final_metrics, "objective.masked_fraction") == 0.75);  // 12 of 16 patches
  CHECK(metric(result.final_metrics, "objective.collapse_std") > 0.0);
  CHECK(metric(result.final_metrics, "knn.top1") > 0.25);
}
