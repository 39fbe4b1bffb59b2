#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "op_test_inputs.hpp"
#include "sslflow/sdk.hpp"
#include "sslflow/testing/gradcheck.hpp"

using namespace sslflow;
using Catch::Matchers::WithinAbs;

namespace {

void require_gradcheck(const std::function<Var(const std::vector<Var>&)>& f, const std::vector<Var>& inputs) {
  auto r = testing::gradcheck(f, inputs);
  INFO(r.report);
  REQUIRE(r.ok);
  REQUIRE(r.entries_checked > 0);
}

// (x - 2.5) / sqrt(1.25 + eps) for x = 1, 2, 3, 4: mean 2.5, biased variance 1.25.
float normalised(float x) { return (x - 2.5f) / std::sqrt(1.25f + 1e-5f); }

}  // namespace

TEST_CASE("Ops.batch_norm.training_forward_and_running_stats", "[grad]") {
  // Channel 0 holds 1..4 and channel 1 holds 10 throughout.
  Var x(Tensor(Shape{4, 2}, std::vector<float>{1, 10, 2, 10, 3, 10, 4, 10}));
  Var w(Tensor(Shape{2}, std::vector<float>{2.0f, 1.0f}));
  Var b(Tensor(Shape{2}, std::vector<float>{0.5f, -1.0f}));
  Tensor running_mean(Shape{2});
  Tensor running_var = Tensor::full(Shape{2}, 1.0f);
  Tensor out = batch_norm(x, w, b, running_mean, running_var, true).value();
  for (int n = 0; n < 4; ++n) {
    REQUIRE_THAT(out.data()[2 * n], WithinAbs(2.0f * normalised(float(n + 1)) + 0.5f, 1e-5));
    REQUIRE_THAT(out.data()[2 * n + 1], WithinAbs(-1.0f, 1e-5));
  }
  // running = 0.9 running + 0.1 batch, with the unbiased variance 5/3 of channel 0.
  REQUIRE_THAT(running_mean.data()[0], WithinAbs(0.25f, 1e-6));
  REQUIRE_THAT(running_mean.data()[1], WithinAbs(1.0f, 1e-6));
  REQUIRE_THAT(running_var.data()[0], WithinAbs(0.9f + 0.1f * 5.0f / 3.0f, 1e-6));
  REQUIRE_THAT(running_var.data()[1], WithinAbs(0.9f, 1e-6));
}

TEST_CASE("Ops.batch_norm.evaluation_uses_running_stats", "[grad]") {
  Var x(Tensor(Shape{2, 1, 1, 2}, std::vector<float>{1, 2, 3, 4}));
  Tensor running_mean = Tensor::full(Shape{1}, 1.0f);
  Tensor running_var = Tensor::full(Shape{1}, 4.0f);
  Tensor out = batch_norm(x, {}, {}, running_mean, running_var, false, 0.1f, 0.0f).value();
  const std::vector<float> want{0.0f, 0.5f, 1.0f, 1.5f};
  for (int i = 0; i < 4; ++i) REQUIRE_THAT(out.data()[i], WithinAbs(want[i], 1e-6));
  REQUIRE(running_mean.data()[0] == 1.0f);  // untouched in evaluation
  REQUIRE(running_var.data()[0] == 4.0f);
}

TEST_CASE("Ops.batch_norm.no_running_stats_means_batch_stats", "[grad]") {
  Var x(Tensor(Shape{1, 1, 2, 2}, std::vector<float>{1, 2, 3, 4}));
  for (bool training : {true, false}) {
    Tensor out = batch_norm(x, {}, {}, Tensor(), Tensor(), training).value();
    for (int i = 0; i < 4; ++i) REQUIRE_THAT(out.data()[i], WithinAbs(normalised(float(i + 1)), 1e-5));
  }
}

TEST_CASE("Ops.batch_norm.gradcheck_training_nchw", "[grad]") {
  Var x = test_inputs::param(Shape{3, 2, 3, 4}, "bn.x");
  Var w = test_inputs::param(Shape{2}, "bn.w", 0.5f, 1.5f);
  Var b = test_inputs::param(Shape{2}, "bn.b");
  require_gradcheck([](const std::vector<Var>& in) { return batch_norm(in[0], in[1], in[2], Tensor(), Tensor(), true); },
                    {x, w, b});
}

TEST_CASE("Ops.batch_norm.gradcheck_training_nc", "[grad]") {
  Var x = test_inputs::param(Shape{6, 5}, "bn.x");
  Var w = test_inputs::param(Shape{5}, "bn.w", 0.5f, 1.5f);
  Var b = test_inputs::param(Shape{5}, "bn.b");
  Tensor running_mean(Shape{5});
  Tensor running_var = Tensor::full(Shape{5}, 1.0f);
  require_gradcheck(
      [&](const std::vector<Var>& in) { return batch_norm(in[0], in[1], in[2], running_mean, running_var, true); },
      {x, w, b});
  require_gradcheck([](const std::vector<Var>& in) { return batch_norm(in[0], {}, {}, Tensor(), Tensor(), true); },
                    {x});
}

TEST_CASE("Ops.batch_norm.gradcheck_evaluation", "[grad]") {
  Var x = test_inputs::param(Shape{3, 4, 2, 3}, "bn.x");
  Var w = test_inputs::param(Shape{4}, "bn.w", 0.5f, 1.5f);
  Var b = test_inputs::param(Shape{4}, "bn.b");
  Tensor running_mean = test_inputs::uniform(Shape{4}, "bn.mean");
  Tensor running_var = test_inputs::uniform(Shape{4}, "bn.var", 0.5f, 2.0f);
  require_gradcheck(
      [&](const std::vector<Var>& in) { return batch_norm(in[0], in[1], in[2], running_mean, running_var, false); },
      {x, w, b});
}

TEST_CASE("Ops.batch_norm.shape_errors", "[grad]") {
  Var x(Tensor(Shape{4, 3, 2, 2}));
  Var w3(Tensor::full(Shape{3}, 1.0f)), w2(Tensor::full(Shape{2}, 1.0f));
  REQUIRE_THROWS_AS(batch_norm(Var(Tensor(Shape{4, 3, 2})), w3, w3, Tensor(), Tensor(), true), ShapeError);
  REQUIRE_THROWS_AS(batch_norm(x, w2, w3, Tensor(), Tensor(), true), ShapeError);
  REQUIRE_THROWS_AS(batch_norm(x, w3, w2, Tensor(), Tensor(), true), ShapeError);
  REQUIRE_THROWS_AS(batch_norm(x, w3, w3, Tensor(Shape{2}), Tensor(Shape{2}), true), ShapeError);
  REQUIRE_THROWS_AS(batch_norm(x, w3, w3, Tensor(Shape{3}), Tensor(), true), ShapeError);
  REQUIRE_THROWS_AS(batch_norm(Var(Tensor(Shape{1, 3})), w3, w3, Tensor(), Tensor(), true), ShapeError);
  REQUIRE_THROWS_WITH(batch_norm(x, w2, w3, Tensor(), Tensor(), true),
                      Catch::Contains("batch_norm") && Catch::Contains("[4, 3, 2, 2]") && Catch::Contains("[2]"));
}

TEST_CASE("Ops.batch_norm_relu.matches_relu_of_batch_norm", "[grad]") {
  // Same values, running statistics and gradients (the mask included) as the two ops.
  const Tensor x0 = test_inputs::uniform(Shape{5, 3, 4, 3}, "bn.x");
  const Tensor w0 = test_inputs::uniform(Shape{3}, "bn.w", 0.5f, 1.5f);
  const Tensor b0 = test_inputs::uniform(Shape{3}, "bn.b");
  const Tensor dout = test_inputs::uniform(Shape{5, 3, 4, 3}, "bn.dout");
  for (bool training : {true, false}) {
    struct Result {
      Tensor out, running_mean, running_var, dx, dw, db;
    };
    auto run = [&](bool fused) {
      Var x(x0.clone(), true), w(w0.clone(), true), b(b0.clone(), true);
      Tensor running_mean = test_inputs::uniform(Shape{3}, "bn.mean");
      Tensor running_var = test_inputs::uniform(Shape{3}, "bn.var", 0.5f, 2.0f);
      Var y = fused ? batch_norm_relu(x, w, b, running_mean, running_var, training)
                    : relu(batch_norm(x, w, b, running_mean, running_var, training));
      y.backward(dout);
      return Result{y.value(), running_mean, running_var, x.grad(), w.grad(), b.grad()};
    };
    const Result fused = run(true), separate = run(false);
    INFO("training " << training);
    REQUIRE(std::count_if(fused.out.values().begin(), fused.out.values().end(), [](float v) { return v == 0; }) > 20);
    test_inputs::require_close(fused.out, separate.out, 1e-6f);
    test_inputs::require_close(fused.running_mean, separate.running_mean, 1e-7f);
    test_inputs::require_close(fused.running_var, separate.running_var, 1e-7f);
    test_inputs::require_close(fused.dx, separate.dx, 1e-5f);
    test_inputs::require_close(fused.dw, separate.dw, 1e-5f);
    test_inputs::require_close(fused.db, separate.db, 1e-5f);
  }
}

TEST_CASE("Ops.batch_norm_relu.gradcheck_training", "[grad]") {
  Var x = test_inputs::param(Shape{4, 2, 3, 3}, "bn.x");
  Var w = test_inputs::param(Shape{2}, "bn.w", 0.5f, 1.5f);
  Var b = test_inputs::param(Shape{2}, "bn.b");
  require_gradcheck(
      [](const std::vector<Var>& in) { return batch_norm_relu(in[0], in[1], in[2], Tensor(), Tensor(), true); },
      {x, w, b});
}

TEST_CASE("Ops.layer_norm.forward_by_hand", "[grad]") {
  Var x(Tensor(Shape{2, 4}, std::vector<float>{1, 2, 3, 4, 4, 3, 2, 1}));
  Var w(Tensor(Shape{4}, std::vector<float>{1, 2, 3, 4}));
  Var b(Tensor::full(Shape{4}, 0.5f));
  Tensor out = layer_norm(x, w, b).value();
  Tensor plain = layer_norm(x, {}, {}).value();
  for (int d = 0; d < 4; ++d) {
    REQUIRE_THAT(out.data()[d], WithinAbs(float(d + 1) * normalised(float(d + 1)) + 0.5f, 1e-5));
    REQUIRE_THAT(out.data()[4 + d], WithinAbs(float(d + 1) * normalised(float(4 - d)) + 0.5f, 1e-5));
    REQUIRE_THAT(plain.data()[d], WithinAbs(normalised(float(d + 1)), 1e-5));
  }
}

TEST_CASE("Ops.layer_norm.gradcheck", "[grad]") {
  Var x = test_inputs::param(Shape{2, 3, 5}, "ln.x");
  Var w = test_inputs::param(Shape{5}, "ln.w", 0.5f, 1.5f);
  Var b = test_inputs::param(Shape{5}, "ln.b");
  require_gradcheck([](const std::vector<Var>& in) { return layer_norm(in[0], in[1], in[2]); }, {x, w, b});
  require_gradcheck([](const std::vector<Var>& in) { return layer_norm(in[0], {}, {}); }, {x});
}

TEST_CASE("Ops.layer_norm.gradcheck_many_rows", "[grad]") {
  // 70 rows span several chunks of the weight and bias gradient sums.
  Var x = test_inputs::param(Shape{70, 6}, "ln.x");
  Var w = test_inputs::param(Shape{6}, "ln.w", 0.5f, 1.5f);
  Var b = test_inputs::param(Shape{6}, "ln.b");
  require_gradcheck([](const std::vector<Var>& in) { return layer_norm(in[0], in[1], in[2]); }, {x, w, b});
}

TEST_CASE("Ops.layer_norm.shape_errors", "[grad]") {
  Var x(Tensor(Shape{3, 4}));
  REQUIRE_THROWS_AS(layer_norm(x, Var(Tensor(Shape{3})), {}), ShapeError);
  REQUIRE_THROWS_AS(layer_norm(x, {}, Var(Tensor(Shape{4, 1}))), ShapeError);
  REQUIRE_THROWS_WITH(layer_norm(x, Var(Tensor(Shape{3})), {}),
                      Catch::Contains("layer_norm") && Catch::Contains("[3, 4]") && Catch::Contains("[3]"));
}
