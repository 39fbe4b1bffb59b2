// The example method's tests, built against the installed sdk only: its losses against
// the reference code's formulas (golden.hpp, make_golden.py) and finite differences, and
// the plugin itself, loaded from this build's directory and stepped by the sdk's runner.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <sslflow/testing/gradcheck.hpp>
#include <sslflow/testing/plugin_runner.hpp>

#include "align_uniform.hpp"
#include "golden.hpp"

using namespace sslflow;

namespace {

Var batch(const std::vector<float>& values, bool requires_grad = true) {
  return Var(Tensor(Shape{align_uniform::golden::kBatch, align_uniform::golden::kDim}, values), requires_grad);
}

Var random_views(Shape shape, uint64_t stream, float noise, const Tensor& base = {}) {
  Rng rng(3, "align_uniform.test", stream);
  Tensor t(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = (base.defined() ? base.data()[i] : 0.0f) + noise * rng.normal();
  return Var(t);
}

const testing::Plugins& plugins() {
  static const testing::Plugins loaded({ALIGN_UNIFORM_PLUGIN_DIR});
  return loaded;
}

}  // namespace

TEST_CASE("AlignUniform.losses_match_the_reference_code") {
  using namespace align_uniform::golden;
  REQUIRE(align_uniform::align_loss(batch(kZ1), batch(kZ2)).value().item() == Approx(kAlign).epsilon(1e-5));
  REQUIRE(align_uniform::uniform_loss(batch(kZ1), kT).value().item() == Approx(kUniformZ1).epsilon(1e-5));
  REQUIRE(align_uniform::uniform_loss(batch(kZ2), kT).value().item() == Approx(kUniformZ2).epsilon(1e-5));
}

TEST_CASE("AlignUniform.losses_pass_a_gradient_check") {
  using namespace align_uniform::golden;
  const auto align = testing::gradcheck(
      [](const std::vector<Var>& in) { return align_uniform::align_loss(in[0], in[1]); }, {batch(kZ1), batch(kZ2)});
  const auto uniform = testing::gradcheck(
      [](const std::vector<Var>& in) { return align_uniform::uniform_loss(l2_normalize(in[0]), kT); }, {batch(kZ1)});
  INFO(align.report << uniform.report);
  REQUIRE(align.ok);
  REQUIRE(uniform.ok);
  REQUIRE_THROWS_AS(align_uniform::uniform_loss(Var(Tensor(Shape{1, 4})), kT), ShapeError);
}

TEST_CASE("AlignUniform.method_steps_through_the_runner") {
  testing::MethodRunner runner(plugins(), "align_uniform", {{"proj_hidden", 32}, {"proj_dim", 8}});
  runner.setup({{"input", {Shape{16}, Shape{16}}}});
  const Var x1 = random_views(Shape{12, 16}, 1, 1.0f);
  const StepOutput out = runner.step({{"input", {x1, random_views(Shape{12, 16}, 2, 0.1f, x1.value())}}});
  REQUIRE(out.metrics.at(0).first == "align");
  REQUIRE(out.metrics.at(1).first == "uniform");
  REQUIRE(out.loss.value().item() == Approx(out.metrics[0].second + out.metrics[1].second));
  for (const auto& [name, p] : runner.method().named_parameters()) {
    INFO(name);
    REQUIRE(p.has_grad());
  }
  REQUIRE(runner.method().named_parameters().front().first == "projector.0.weight");
}

TEST_CASE("AlignUniform.method_refuses_one_view") {
  testing::MethodRunner runner(plugins(), "align_uniform");
  REQUIRE_THROWS_AS(runner.setup({{"input", {Shape{16}}}}), GraphError);
  REQUIRE_THROWS_WITH(testing::MethodRunner(plugins(), "align_uniform", {{"t", -1.0}}),
                      Catch::Contains("'t'") && Catch::Contains("> 0"));
}

TEST_CASE("AlignUniform.gradient_steps_lower_the_loss") {
  testing::MethodRunner runner(plugins(), "align_uniform", {{"proj_hidden", 32}, {"proj_dim", 8}});
  runner.setup({{"input", {Shape{16}, Shape{16}}}});
  const Var x1 = random_views(Shape{32, 16}, 3, 1.0f);
  const Var x2 = random_views(Shape{32, 16}, 4, 0.1f, x1.value());
  std::vector<double> losses;
  for (int step = 0; step < 30; ++step) {
    losses.push_back(runner.step({{"input", {x1, x2}}}, 30).loss.value().item());
    for (Var p : runner.method().parameters())
      for (int64_t i = 0; i < p.value().numel(); ++i) p.value().data()[i] -= 0.5f * p.grad().data()[i];
  }
  INFO("first " << losses.front() << ", last " << losses.back());
  REQUIRE(losses.back() < losses.front() - 0.1);
}
