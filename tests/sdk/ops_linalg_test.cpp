#include <catch2/catch.hpp>

#include <vector>

#include "op_inputs.hpp"
#include "sslflow/sdk.hpp"
#include "sslflow/testing/gradcheck.hpp"

using namespace sslflow;
using sslflow::testing::gradcheck;
using sslflow::testing::leaf;
using sslflow::testing::uniform_leaf;
using sslflow::testing::values;

TEST_CASE("Linalg.matmul.values", "[grad]") {
  Var a = leaf(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  Var b = leaf(Shape{3, 2}, {1, 0, 0, 1, 1, 1});
  Var c = matmul(a, b);
  REQUIRE(c.shape() == Shape({2, 2}));
  REQUIRE(values(c.value()) == std::vector<float>{4, 5, 10, 11});
  c.backward(Tensor::full(Shape{2, 2}, 1.0f));
  REQUIRE(values(a.grad()) == std::vector<float>{1, 1, 2, 1, 1, 2});
  REQUIRE(values(b.grad()) == std::vector<float>{5, 5, 7, 7, 9, 9});
}

TEST_CASE("Linalg.matmul.batched_values", "[grad]") {
  Var a = leaf(Shape{2, 1, 2}, {1, 2, 3, 4});
  Var b = leaf(Shape{2, 2, 1}, {5, 6, 7, 8});
  Var c = matmul(a, b);
  REQUIRE(c.shape() == Shape({2, 1, 1}));
  REQUIRE(values(c.value()) == std::vector<float>{17, 53});
}

TEST_CASE("Linalg.matmul.gradcheck", "[grad]") {
  auto f = [](const std::vector<Var>& in) { return matmul(in[0], in[1]); };
  auto plain = gradcheck(f, {uniform_leaf(Shape{3, 4}, 1), uniform_leaf(Shape{4, 5}, 2)});
  INFO(plain.report);
  REQUIRE(plain.ok);
  auto batched = gradcheck(f, {uniform_leaf(Shape{2, 3, 4}, 3), uniform_leaf(Shape{2, 4, 5}, 4)});
  INFO(batched.report);
  REQUIRE(batched.ok);
}

TEST_CASE("Linalg.matmul.shape_mismatch_throws", "[grad]") {
  REQUIRE_THROWS_AS(matmul(uniform_leaf(Shape{2, 3}, 1), uniform_leaf(Shape{2, 3}, 2)), ShapeError);
  REQUIRE_THROWS_AS(matmul(uniform_leaf(Shape{2, 3}, 1), uniform_leaf(Shape{1, 3, 2}, 2)), ShapeError);
  REQUIRE_THROWS_AS(matmul(uniform_leaf(Shape{2, 2, 3}, 1), uniform_leaf(Shape{3, 3, 2}, 2)), ShapeError);
  REQUIRE_THROWS_AS(matmul(uniform_leaf(Shape{3}, 1), uniform_leaf(Shape{3}, 2)), ShapeError);
}

TEST_CASE("Linalg.linear.values_with_and_without_bias", "[grad]") {
  Var x = leaf(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  Var w = leaf(Shape{2, 3}, {1, 0, -1, 0.5f, 0.5f, 0.5f});
  Var b = leaf(Shape{2}, {10, 20});
  REQUIRE(values(linear(x, w).value()) == std::vector<float>{-2, 3, -2, 7.5f});
  Var y = linear(x, w, b);
  REQUIRE(values(y.value()) == std::vector<float>{8, 23, 8, 27.5f});
  y.backward(Tensor(Shape{2, 2}, std::vector<float>{1, 2, 3, 4}));
  REQUIRE(values(b.grad()) == std::vector<float>{4, 6});
  REQUIRE(values(x.grad()) == std::vector<float>{2, 1, 0, 5, 2, -1});
  REQUIRE(values(w.grad()) == std::vector<float>{13, 17, 21, 18, 24, 30});
}

TEST_CASE("Linalg.linear.gradcheck_rank2_and_rank3", "[grad]") {
  auto with_bias = [](const std::vector<Var>& in) { return linear(in[0], in[1], in[2]); };
  auto r2 = gradcheck(with_bias, {uniform_leaf(Shape{4, 5}, 1), uniform_leaf(Shape{3, 5}, 2), uniform_leaf(Shape{3}, 3)});
  INFO(r2.report);
  REQUIRE(r2.ok);
  auto r3 = gradcheck(with_bias,
                      {uniform_leaf(Shape{2, 3, 5}, 4), uniform_leaf(Shape{6, 5}, 5), uniform_leaf(Shape{6}, 6)});
  INFO(r3.report);
  REQUIRE(r3.ok);
  auto no_bias = gradcheck([](const std::vector<Var>& in) { return linear(in[0], in[1]); },
                           {uniform_leaf(Shape{3, 4}, 7), uniform_leaf(Shape{2, 4}, 8)});
  INFO(no_bias.report);
  REQUIRE(no_bias.ok);
}

TEST_CASE("Linalg.linear.large_matches_loop", "[grad]") {
  // Big enough that the gemm splits into parallel row blocks.
  const int64_t rows = 256, in = 128, out = 80;
  Var x = uniform_leaf(Shape{rows, in}, 1);
  Var w = uniform_leaf(Shape{out, in}, 2);
  Var b = uniform_leaf(Shape{out}, 3);
  Var y = linear(x, w, b);
  Tensor g = uniform_leaf(Shape{rows, out}, 4).value();
  y.backward(g);
  const float* xv = x.value().data();
  const float* wv = w.value().data();
  const float* gv = g.data();
  for (int64_t r = 0; r < rows; r += 17)
    for (int64_t o = 0; o < out; ++o) {
      double acc = b.value().data()[o];
      for (int64_t i = 0; i < in; ++i) acc += double(xv[r * in + i]) * wv[o * in + i];
      REQUIRE(y.value().data()[r * out + o] == Approx(acc).margin(1e-4));
    }
  for (int64_t o = 0; o < out; o += 7) {
    double db = 0.0;
    for (int64_t r = 0; r < rows; ++r) db += gv[r * out + o];
    REQUIRE(b.grad().data()[o] == Approx(db).margin(1e-4));
    for (int64_t i = 0; i < in; i += 5) {
      double dw = 0.0;
      for (int64_t r = 0; r < rows; ++r) dw += double(gv[r * out + o]) * xv[r * in + i];
      REQUIRE(w.grad().data()[o * in + i] == Approx(dw).margin(1e-4));
    }
  }
  for (int64_t r = 0; r < rows; r += 13)
    for (int64_t i = 0; i < in; ++i) {
      double dx = 0.0;
      for (int64_t o = 0; o < out; ++o) dx += double(gv[r * out + o]) * wv[o * in + i];
      REQUIRE(x.grad().data()[r * in + i] == Approx(dx).margin(1e-4));
    }
}

TEST_CASE("Linalg.linear.shape_mismatch_throws", "[grad]") {
  Var x = uniform_leaf(Shape{4, 5}, 1);
  REQUIRE_THROWS_AS(linear(x, uniform_leaf(Shape{3, 4}, 2)), ShapeError);
  REQUIRE_THROWS_AS(linear(x, uniform_leaf(Shape{5}, 2)), ShapeError);
  REQUIRE_THROWS_AS(linear(x, uniform_leaf(Shape{3, 5}, 2), uniform_leaf(Shape{4}, 3)), ShapeError);
}
