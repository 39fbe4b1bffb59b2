#include <catch2/catch.hpp>

#include "op_test_inputs.hpp"
#include "sslflow/sdk.hpp"
#include "sslflow/testing/gradcheck.hpp"

using namespace sslflow;
using Catch::Matchers::WithinAbs;

namespace {

// x = 1..16 as a 4x4 image.
Var image4x4() {
  std::vector<float> v(16);
  for (int i = 0; i < 16; ++i) v[i] = static_cast<float>(i + 1);
  return Var(Tensor(Shape{1, 1, 4, 4}, v));
}

void require_values(const Tensor& got, const Shape& shape, const std::vector<float>& want) {
  REQUIRE(got.shape() == shape);
  for (size_t i = 0; i < want.size(); ++i) REQUIRE_THAT(got.data()[i], WithinAbs(want[i], 1e-5));
}

void require_gradcheck(const std::function<Var(const std::vector<Var>&)>& f, const Var& x) {
  auto r = testing::gradcheck(f, {x});
  INFO(r.report);
  REQUIRE(r.ok);
  REQUIRE(r.entries_checked > 0);
}

}  // namespace

TEST_CASE("Ops.avg_pool2d.forward_by_hand", "[grad]") {
  require_values(avg_pool2d(image4x4(), 2, 2).value(), Shape{1, 1, 2, 2}, {3.5f, 5.5f, 11.5f, 13.5f});
}

TEST_CASE("Ops.avg_pool2d.padding_counts_in_the_divisor", "[grad]") {
  // kernel 3, stride 2, padding 1 on 4x4: the top-left window holds 1, 2, 5, 6 and five
  // padded zeros, and is divided by 9 (count_include_pad).
  require_values(avg_pool2d(image4x4(), 3, 2, 1).value(), Shape{1, 1, 2, 2},
                 {14.0f / 9, 30.0f / 9, 57.0f / 9, 99.0f / 9});
}

TEST_CASE("Ops.max_pool2d.forward_by_hand", "[grad]") {
  require_values(max_pool2d(image4x4(), 2, 2).value(), Shape{1, 1, 2, 2}, {6, 8, 14, 16});
  // Padding never wins, even over negative values.
  Var negative(Tensor::full(Shape{1, 1, 2, 2}, -3.0f));
  require_values(max_pool2d(negative, 2, 1, 1).value(), Shape{1, 1, 3, 3}, std::vector<float>(9, -3.0f));
}

TEST_CASE("Ops.max_pool2d.gradient_goes_to_the_maximum", "[grad]") {
  Var x(image4x4().value().clone(), true);
  max_pool2d(x, 2, 2).backward(Tensor(Shape{1, 1, 2, 2}, std::vector<float>{1, 2, 3, 4}));
  const std::vector<float> want{0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4};
  require_values(x.grad(), Shape{1, 1, 4, 4}, want);
}

TEST_CASE("Ops.global_avg_pool2d.forward_by_hand", "[grad]") {
  Tensor x(Shape{2, 1, 2, 2}, std::vector<float>{1, 2, 3, 4, -1, -1, 5, 1});
  require_values(global_avg_pool2d(Var(x)).value(), Shape{2, 1}, {2.5f, 1.0f});
}

TEST_CASE("Ops.avg_pool2d.gradcheck", "[grad]") {
  Var x = test_inputs::param(Shape{2, 3, 7, 6}, "pool.x");
  require_gradcheck([](const std::vector<Var>& in) { return avg_pool2d(in[0], 3, 2, 1); }, x);
  require_gradcheck([](const std::vector<Var>& in) { return avg_pool2d(in[0], 2, 1); }, x);
}

TEST_CASE("Ops.max_pool2d.gradcheck", "[grad]") {
  // Distinct values 0.1 apart: no ties within a window, and eps cannot reorder them.
  Var x(test_inputs::distinct(Shape{2, 3, 7, 6}, "pool.x"), true);
  require_gradcheck([](const std::vector<Var>& in) { return max_pool2d(in[0], 3, 2, 1); }, x);
  require_gradcheck([](const std::vector<Var>& in) { return max_pool2d(in[0], 2, 2); }, x);
}

TEST_CASE("Ops.global_avg_pool2d.gradcheck", "[grad]") {
  Var x = test_inputs::param(Shape{3, 4, 5, 2}, "pool.x");
  require_gradcheck([](const std::vector<Var>& in) { return global_avg_pool2d(in[0]); }, x);
}

TEST_CASE("Ops.pool.shape_errors", "[grad]") {
  Var flat(Tensor(Shape{2, 3, 8}));
  Var x(Tensor(Shape{2, 3, 4, 4}));
  REQUIRE_THROWS_AS(avg_pool2d(flat, 2, 2), ShapeError);
  REQUIRE_THROWS_AS(max_pool2d(flat, 2, 2), ShapeError);
  REQUIRE_THROWS_AS(global_avg_pool2d(flat), ShapeError);
  REQUIRE_THROWS_AS(max_pool2d(x, 5, 1), ShapeError);     // kernel larger than the input
  REQUIRE_THROWS_AS(avg_pool2d(x, 2, 2, 2), ShapeError);  // padding above half the kernel
  REQUIRE_THROWS_AS(max_pool2d(x, 2, 0), ShapeError);     // stride 0
  REQUIRE_THROWS_WITH(max_pool2d(flat, 2, 2), Catch::Contains("max_pool2d") && Catch::Contains("[2, 3, 8]"));
}
