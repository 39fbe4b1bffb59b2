#include <catch2/catch.hpp>

#include <vector>

#include "op_inputs.hpp"
#include "random_input.hpp"
#include "sslflow/sdk.hpp"
#include "sslflow/testing/gradcheck.hpp"

using namespace sslflow;
using sslflow::testing::gradcheck;
using sslflow::testing::random_input;
using sslflow::testing::values;

namespace {

Var constant(Shape shape, std::vector<float> values) { return Var(Tensor(shape, values)); }

}  // namespace

TEST_CASE("Ops.reshape.keeps_row_major_order") {
  Var y = reshape(constant(Shape{2, 3}, {1, 2, 3, 4, 5, 6}), Shape{3, 2});
  REQUIRE(y.shape() == Shape{3, 2});
  REQUIRE(values(y) == std::vector<float>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("Ops.reshape.gradcheck", "[grad]") {
  Var x = random_input(Shape{2, 3, 4}, "reshape.x");
  auto r = gradcheck([](const std::vector<Var>& in) { return reshape(in[0], Shape{4, 6}); }, {x});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Ops.reshape.shape_error") {
  REQUIRE_THROWS_AS(reshape(random_input(Shape{2, 3}, "x"), Shape{4, 2}), ShapeError);
}

TEST_CASE("Ops.transpose.values_2d") {
  Var y = transpose(constant(Shape{2, 3}, {1, 2, 3, 4, 5, 6}), 0, 1);
  REQUIRE(y.shape() == Shape{3, 2});
  REQUIRE(values(y) == std::vector<float>{1, 4, 2, 5, 3, 6});
}

TEST_CASE("Ops.transpose.values_4d") {
  Var x = random_input(Shape{2, 3, 4, 5}, "transpose.x", 1.0f, false);
  Var y = transpose(x, 1, -1);  // (2, 5, 4, 3)
  REQUIRE(y.shape() == Shape{2, 5, 4, 3});
  const float* a = x.value().data();
  const float* b = y.value().data();
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)
        for (int l = 0; l < 5; ++l) REQUIRE(b[((i * 5 + l) * 4 + k) * 3 + j] == a[((i * 3 + j) * 4 + k) * 5 + l]);
}

TEST_CASE("Ops.transpose.gradcheck", "[grad]") {
  Var x3 = random_input(Shape{2, 3, 4}, "transpose.x3");
  auto r3 = gradcheck([](const std::vector<Var>& in) { return transpose(in[0], 0, 2); }, {x3});
  INFO(r3.report);
  REQUIRE(r3.ok);
  Var x4 = random_input(Shape{2, 3, 2, 5}, "transpose.x4");
  auto r4 = gradcheck([](const std::vector<Var>& in) { return transpose(in[0], -1, 1); }, {x4});
  INFO(r4.report);
  REQUIRE(r4.ok);
}

TEST_CASE("Ops.transpose.shape_error") {
  REQUIRE_THROWS_AS(transpose(random_input(Shape{2, 3}, "x"), 0, 2), ShapeError);
}

TEST_CASE("Ops.concat.values") {
  Var a = constant(Shape{2, 2}, {1, 2, 3, 4});
  Var b = constant(Shape{2, 1}, {5, 6});
  REQUIRE(values(concat({a, b}, 1)) == std::vector<float>{1, 2, 5, 3, 4, 6});
  REQUIRE(values(concat({a, a}, 0)) == std::vector<float>{1, 2, 3, 4, 1, 2, 3, 4});
}

TEST_CASE("Ops.concat.gradcheck", "[grad]") {
  Var a = random_input(Shape{2, 3, 4}, "concat.a");
  Var b = random_input(Shape{2, 1, 4}, "concat.b");
  Var c = random_input(Shape{2, 2, 4}, "concat.c");
  auto r = gradcheck([](const std::vector<Var>& in) { return concat(in, -2); }, {a, b, c});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Ops.concat.input_used_twice", "[grad]") {
  Var a(Tensor::full(Shape{2, 2}, 1.0f), true);
  concat({a, a, a}, 0).backward(Tensor::full(Shape{6, 2}, 1.0f));
  REQUIRE(values(a.grad()) == std::vector<float>{3, 3, 3, 3});
}

TEST_CASE("Ops.concat.shape_error") {
  Var a = random_input(Shape{2, 3}, "a");
  REQUIRE_THROWS_AS(concat({a, random_input(Shape{3, 3}, "b")}, 1), ShapeError);
  REQUIRE_THROWS_AS(concat({a, random_input(Shape{2, 3, 1}, "c")}, 0), ShapeError);
  REQUIRE_THROWS_AS(concat({}, 0), ShapeError);
}

TEST_CASE("Ops.slice.values") {
  Var x = constant(Shape{2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  Var y = slice(x, 1, 1, 3);
  REQUIRE(y.shape() == Shape{2, 2});
  REQUIRE(values(y) == std::vector<float>{2, 3, 6, 7});
  REQUIRE(values(slice(x, 0, 1, 2)) == std::vector<float>{5, 6, 7, 8});
}

TEST_CASE("Ops.slice.gradcheck", "[grad]") {
  Var x = random_input(Shape{3, 5, 2}, "slice.x");
  auto r = gradcheck([](const std::vector<Var>& in) { return slice(in[0], 1, 1, 4); }, {x});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Ops.slice.shape_error") {
  Var x = random_input(Shape{2, 4}, "x");
  REQUIRE_THROWS_AS(slice(x, 1, 2, 5), ShapeError);
  REQUIRE_THROWS_AS(slice(x, 1, 3, 2), ShapeError);
  REQUIRE_THROWS_AS(slice(x, 2, 0, 1), ShapeError);
}

TEST_CASE("Ops.index_select.values_with_repeats") {
  Var x = constant(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  REQUIRE(values(index_select(x, 1, {2, 0, 2})) == std::vector<float>{3, 1, 3, 6, 4, 6});
  REQUIRE(values(index_select(x, 0, {1, 1})) == std::vector<float>{4, 5, 6, 4, 5, 6});
}

TEST_CASE("Ops.index_select.gradcheck", "[grad]") {
  Var x = random_input(Shape{2, 4, 3}, "index_select.x");
  auto r = gradcheck([](const std::vector<Var>& in) { return index_select(in[0], 1, {3, 0, 3, 1, 3}); }, {x});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Ops.index_select.repeats_add_gradients", "[grad]") {
  Var x(Tensor(Shape{3}), true);
  index_select(x, 0, {2, 2, 0}).backward(Tensor(Shape{3}, std::vector<float>{1, 2, 4}));
  REQUIRE(values(x.grad()) == std::vector<float>{4, 0, 3});
}

TEST_CASE("Ops.index_select.shape_error") {
  Var x = random_input(Shape{2, 3}, "x");
  REQUIRE_THROWS_AS(index_select(x, 1, {0, 3}), ShapeError);
  REQUIRE_THROWS_AS(index_select(x, 0, {-1}), ShapeError);
}
