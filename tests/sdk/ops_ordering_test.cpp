#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "op_inputs.hpp"
#include "sslflow/sdk.hpp"

using namespace sslflow;
using sslflow::testing::values;

namespace {

const Tensor kLine(Shape{5}, std::vector<float>{3, 1, 4, 1, 5});

}  // namespace

TEST_CASE("Ordering.topk.largest_and_smallest_ties_by_position") {
  const Sorted largest = topk(kLine, 3);
  REQUIRE(values(largest.values) == std::vector<float>{5, 4, 3});
  REQUIRE(largest.indices.values == std::vector<int64_t>{4, 2, 0});
  REQUIRE(largest.indices.shape == Shape{3});
  const Sorted smallest = topk(kLine, 2, 0, false);
  REQUIRE(values(smallest.values) == std::vector<float>{1, 1});
  REQUIRE(smallest.indices.values == std::vector<int64_t>{1, 3});
  REQUIRE_THROWS_WITH(topk(kLine, 6), "topk: k = 6 is outside [1, 5], the extent of dim 0 of shape [5]");
  REQUIRE_THROWS_AS(topk(kLine, 0), ShapeError);
}

TEST_CASE("Ordering.topk.along_the_first_dim_of_a_matrix") {
  const Tensor x(Shape{3, 2}, std::vector<float>{1, 6, 5, 2, 3, 4});
  const Sorted top = topk(x, 2, 0);
  REQUIRE(top.values.shape() == Shape({2, 2}));
  REQUIRE(values(top.values) == std::vector<float>{5, 6, 3, 4});
  REQUIRE(top.indices.values == std::vector<int64_t>{1, 0, 2, 2});
}

TEST_CASE("Ordering.sort.is_stable_and_puts_nan_last") {
  const Sorted up = sort(kLine);
  REQUIRE(values(up.values) == std::vector<float>{1, 1, 3, 4, 5});
  REQUIRE(up.indices.values == std::vector<int64_t>{1, 3, 0, 2, 4});
  const Sorted down = sort(kLine, -1, true);
  REQUIRE(values(down.values) == std::vector<float>{5, 4, 3, 1, 1});
  REQUIRE(down.indices.values == std::vector<int64_t>{4, 2, 0, 1, 3});
  const Sorted with_nan = sort(Tensor(Shape{3}, std::vector<float>{2, std::nanf(""), 1}));
  REQUIRE(with_nan.indices.values == std::vector<int64_t>{2, 0, 1});
  REQUIRE(std::isnan(with_nan.values.data()[2]));
}

TEST_CASE("Ordering.sort.indices_gather_the_values_with_a_gradient", "[grad]") {
  Var x(kLine, true);
  const Sorted order = sort(kLine, 0, true);
  Var sorted = gather(x, 0, order.indices);
  REQUIRE(values(sorted) == values(order.values));
  sorted.backward(Tensor(Shape{5}, std::vector<float>{1, 2, 3, 4, 5}));
  REQUIRE(values(x.grad()) == std::vector<float>{3, 4, 2, 5, 1});
}

TEST_CASE("Ordering.argmax.first_of_the_largest") {
  const Tensor x(Shape{2, 3}, std::vector<float>{1, 7, 7, 9, 0, 2});
  REQUIRE(argmax(x, 1).values == std::vector<int64_t>{1, 0});
  REQUIRE(argmax(x, 1).shape == Shape{2});
  REQUIRE(argmax(x, 1, true).shape == Shape({2, 1}));
  REQUIRE(argmax(x, 0).values == std::vector<int64_t>{1, 0, 0});
  REQUIRE_THROWS_AS(argmax(x, 2), ShapeError);
}
