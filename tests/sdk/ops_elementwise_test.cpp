#include <catch2/catch.hpp>

#include <vector>

#include "op_inputs.hpp"
#include "sslflow/sdk.hpp"
#include "sslflow/testing/gradcheck.hpp"

using namespace sslflow;
using sslflow::testing::gradcheck;
using sslflow::testing::leaf;
using sslflow::testing::signed_leaf;
using sslflow::testing::uniform_leaf;
using sslflow::testing::values;

namespace {

using BinaryOp = Var (*)(const Var&, const Var&);
using UnaryOp = Var (*)(const Var&);

// Every broadcast pattern the layout distinguishes: equal shapes, a row, a column against a
// row, a scalar, and a 4-D mix with a leading dimension missing.
void check_broadcast_grads(BinaryOp op, float low, float high) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {Shape{3, 5}, Shape{3, 5}}, {Shape{4, 6}, Shape{6}},       {Shape{4, 1}, Shape{1, 5}},
      {Shape{}, Shape{2, 3}},     {Shape{2, 3, 1, 4}, Shape{3, 5, 1}}, {Shape{2, 1, 3}, Shape{2, 4, 1}},
  };
  uint64_t stream = 0;
  for (const auto& [sa, sb] : cases) {
    Var a = uniform_leaf(sa, ++stream, low, high);
    Var b = uniform_leaf(sb, ++stream, low, high);
    auto r = gradcheck([op](const std::vector<Var>& in) { return op(in[0], in[1]); }, {a, b});
    INFO(sa.str() << " with " << sb.str() << "\n" << r.report);
    REQUIRE(r.ok);
  }
}

}  // namespace

TEST_CASE("Elementwise.add.same_shape", "[grad]") {
  Var y = add(leaf(Shape{2, 2}, {1, 2, 3, 4}), leaf(Shape{2, 2}, {10, 20, 30, 40}));
  REQUIRE(y.shape() == Shape({2, 2}));
  REQUIRE(values(y) == std::vector<float>{11, 22, 33, 44});
}

TEST_CASE("Elementwise.add.broadcast_row_and_column", "[grad]") {
  Var row = add(leaf(Shape{2, 3}, {1, 2, 3, 4, 5, 6}), leaf(Shape{3}, {10, 20, 30}));
  REQUIRE(values(row) == std::vector<float>{11, 22, 33, 14, 25, 36});
  Var outer = add(leaf(Shape{2, 1}, {1, 2}), leaf(Shape{1, 3}, {10, 20, 30}));
  REQUIRE(outer.shape() == Shape({2, 3}));
  REQUIRE(values(outer) == std::vector<float>{11, 21, 31, 12, 22, 32});
}

TEST_CASE("Elementwise.sub_mul_div.values", "[grad]") {
  Var a = leaf(Shape{2, 2}, {1, 2, 3, 4});
  Var b = leaf(Shape{2}, {2, 4});
  REQUIRE(values(sub(a, b)) == std::vector<float>{-1, -2, 1, 0});
  REQUIRE(values(mul(a, b)) == std::vector<float>{2, 8, 6, 16});
  REQUIRE(values(div(a, b)) == std::vector<float>{0.5f, 0.5f, 1.5f, 1});
  REQUIRE(values(b - a) == std::vector<float>{1, 2, -1, 0});
}

TEST_CASE("Elementwise.add.backward_sums_to_input_shape", "[grad]") {
  Var a = leaf(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  Var b = leaf(Shape{3}, {1, 1, 1});
  Var c = leaf(Shape{2, 1}, {1, 1});
  add(add(a, b), c).backward(Tensor::full(Shape{2, 3}, 1.0f));
  REQUIRE(values(Var(a.grad())) == std::vector<float>{1, 1, 1, 1, 1, 1});
  REQUIRE(values(Var(b.grad())) == std::vector<float>{2, 2, 2});
  REQUIRE(values(Var(c.grad())) == std::vector<float>{3, 3});
}

TEST_CASE("Elementwise.mul.same_var_twice", "[grad]") {
  Var x = leaf(Shape{3}, {1, -2, 3});
  sum(mul(x, x)).backward();
  REQUIRE(values(Var(x.grad())) == std::vector<float>{2, -4, 6});
}

TEST_CASE("Elementwise.add.gradcheck_broadcast", "[grad]") { check_broadcast_grads(add, -1.0f, 1.0f); }
TEST_CASE("Elementwise.sub.gradcheck_broadcast", "[grad]") { check_broadcast_grads(sub, -1.0f, 1.0f); }
TEST_CASE("Elementwise.mul.gradcheck_broadcast", "[grad]") { check_broadcast_grads(mul, -1.0f, 1.0f); }
// Positive operands keep the divisor away from 0.
TEST_CASE("Elementwise.div.gradcheck_broadcast", "[grad]") { check_broadcast_grads(div, 0.5f, 1.5f); }

TEST_CASE("Elementwise.mul.large_broadcast_matches_loop", "[grad]") {
  // Large enough for the kernels to split the work into parallel tasks.
  const int64_t rows = 300, cols = 257;
  Var a = uniform_leaf(Shape{rows, cols}, 1);
  Var b = uniform_leaf(Shape{rows, 1}, 2);
  Var c = uniform_leaf(Shape{cols}, 3);
  Var y = mul(add(a, c), b);
  Tensor g = uniform_leaf(Shape{rows, cols}, 4).value();
  y.backward(g);
  const float* av = a.value().data();
  const float* bv = b.value().data();
  const float* cv = c.value().data();
  const float* gv = g.data();
  std::vector<double> db(rows, 0.0), dc(cols, 0.0);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      const int64_t k = i * cols + j;
      REQUIRE(y.value().data()[k] == (av[k] + cv[j]) * bv[i]);
      REQUIRE(a.grad().data()[k] == gv[k] * bv[i]);
      db[i] += double(gv[k]) * (av[k] + cv[j]);
      dc[j] += double(gv[k]) * bv[i];
    }
  for (int64_t i = 0; i < rows; ++i) REQUIRE(b.grad().data()[i] == Approx(db[i]).margin(1e-4));
  for (int64_t j = 0; j < cols; ++j) REQUIRE(c.grad().data()[j] == Approx(dc[j]).margin(1e-4));
}

TEST_CASE("Elementwise.add.shape_mismatch_throws", "[grad]") {
  Var a = uniform_leaf(Shape{2, 3}, 1);
  REQUIRE_THROWS_AS(add(a, uniform_leaf(Shape{4}, 2)), ShapeError);
  REQUIRE_THROWS_AS(mul(a, uniform_leaf(Shape{3, 3}, 3)), ShapeError);
  REQUIRE_THROWS_AS(div(uniform_leaf(Shape{2, 2, 3}, 4), uniform_leaf(Shape{3, 1, 3}, 5)), ShapeError);
}

TEST_CASE("Elementwise.scalar.values_and_grads", "[grad]") {
  Var x = leaf(Shape{3}, {1, -2, 3});
  REQUIRE(values(x + 1.5f) == std::vector<float>{2.5f, -0.5f, 4.5f});
  REQUIRE(values(x - 1.0f) == std::vector<float>{0, -3, 2});
  REQUIRE(values(2.0f * x) == std::vector<float>{2, -4, 6});
  REQUIRE(values(-x) == std::vector<float>{-1, 2, -3});
  Var a = uniform_leaf(Shape{3, 4}, 7);
  auto r = gradcheck([](const std::vector<Var>& in) { return -(in[0] * 3.0f + 2.0f); }, {a});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Elementwise.scalar_on_the_left.values_and_grads", "[grad]") {
  Var x = leaf(Shape{3}, {0.25f, -2, 4});
  REQUIRE(values(1.0f - x) == std::vector<float>{0.75f, 3, -3});
  REQUIRE(values(2.0f / x) == std::vector<float>{8, -1, 0.5f});
  REQUIRE(values(1.0f + x) == std::vector<float>{1.25f, -1, 5});
  REQUIRE(values(x / 4.0f) == std::vector<float>{0.0625f, -0.5f, 1});
  sum(2.0f / x).backward();
  REQUIRE(values(x.grad()) == std::vector<float>{-32, -0.5f, -0.125f});
  Var a = signed_leaf(Shape{3, 4}, 8, 0.5f, 2.0f);
  auto r = gradcheck([](const std::vector<Var>& in) { return 3.0f / in[0] + (1.0f - in[0]) / 2.0f; }, {a});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Elementwise.relu.values_and_grad", "[grad]") {
  REQUIRE(values(relu(leaf(Shape{4}, {-1, 0, 0.5f, 2}))) == std::vector<float>{0, 0, 0.5f, 2});
  // Magnitudes of at least 0.1 keep every input clear of the kink under a 0.01 step.
  Var x = signed_leaf(Shape{5, 7}, 1, 0.1f, 2.0f);
  auto r = gradcheck([](const std::vector<Var>& in) { return relu(in[0]); }, {x});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Elementwise.gelu.matches_erf_form", "[grad]") {
  // References from torch.nn.functional.gelu in float64.
  const std::vector<float> x = {-6, -3, -1, -0.5f, 0, 0.5f, 1, 2, 4};
  const std::vector<double> y = {-5.919525869e-09, -0.004049694095, -0.1586552539, -0.1542687694, 0,
                                 0.3457312306,     0.8413447461,    1.954499736,   3.999873315};
  const std::vector<double> dy = {-3.546870945e-08, -0.0119456472, -0.08331547059, 0.1325048753, 0.5,
                                  0.8674951247,     1.083315471,   1.085231801,    1.00050365};
  Var in = leaf(Shape{9}, x);
  Var out = gelu(in);
  out.backward(Tensor::full(Shape{9}, 1.0f));
  for (size_t i = 0; i < x.size(); ++i) {
    REQUIRE(out.value().data()[i] == Approx(y[i]).epsilon(1e-5).margin(1e-7));
    REQUIRE(in.grad().data()[i] == Approx(dy[i]).epsilon(1e-5).margin(1e-7));
  }
  // Relative accuracy in the far tail, where 1 + erf(x) cancels.
  REQUIRE(out.value().data()[0] == Approx(y[0]).epsilon(1e-4));
  Var z = uniform_leaf(Shape{4, 6}, 2, -3.0f, 3.0f);
  auto r = gradcheck([](const std::vector<Var>& v) { return gelu(v[0]); }, {z});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Elementwise.exp_log_sqrt_square.values", "[grad]") {
  Var x = leaf(Shape{3}, {0.25f, 1, 4});
  const std::vector<float> e = values(sslflow::exp(x));
  REQUIRE(e[0] == Approx(1.2840254167).epsilon(1e-6));
  REQUIRE(e[1] == Approx(2.7182818285).epsilon(1e-6));
  REQUIRE(e[2] == Approx(54.598150033).epsilon(1e-6));
  REQUIRE(values(sslflow::log(x))[2] == Approx(1.3862943611).epsilon(1e-6));
  REQUIRE(values(sslflow::log(x))[1] == 0.0f);
  REQUIRE(values(sslflow::sqrt(x)) == std::vector<float>{0.5f, 1, 2});
  REQUIRE(values(square(x)) == std::vector<float>{0.0625f, 1, 16});
  REQUIRE(values(sslflow::exp(leaf(Shape{2}, {-200, 0})))[0] == Approx(0.0).margin(1e-37));
}

TEST_CASE("Elementwise.exp_log_sqrt_square.gradcheck", "[grad]") {
  Var any = uniform_leaf(Shape{3, 5}, 1, -2.0f, 2.0f);
  Var positive = uniform_leaf(Shape{5, 3}, 2, 0.5f, 3.0f);
  for (UnaryOp op : std::vector<UnaryOp>{sslflow::exp, sslflow::square}) {
    auto r = gradcheck([op](const std::vector<Var>& in) { return op(in[0]); }, {any});
    INFO(r.report);
    REQUIRE(r.ok);
  }
  for (UnaryOp op : std::vector<UnaryOp>{sslflow::log, sslflow::sqrt}) {
    auto r = gradcheck([op](const std::vector<Var>& in) { return op(in[0]); }, {positive});
    INFO(r.report);
    REQUIRE(r.ok);
  }
}
