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

namespace {

const Indices kRowPicks{Shape{2, 2}, {2, 0, 1, 1}};  // along dim 1 of a (2, 3)

// An index of shape (3, count, 5) along dim 1 of a (3, 4, 5) tensor: repeats when
// `distinct` is false, a different position per line entry otherwise.
Indices index_along_middle(int64_t count, bool distinct) {
  Indices index{Shape{3, count, 5}, {}};
  Rng rng(5, "ops_indexing");
  for (int64_t o = 0; o < 3; ++o)
    for (int64_t j = 0; j < count; ++j)
      for (int64_t i = 0; i < 5; ++i)
        index.values.push_back(distinct ? (j + o + i) % 4 : static_cast<int64_t>(rng.below(4)));
  return index;
}

}  // namespace

TEST_CASE("Indexing.gather.values_and_gradient_by_hand", "[grad]") {
  Var x = leaf(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  Var picked = gather(x, 1, kRowPicks);
  REQUIRE(picked.shape() == Shape({2, 2}));
  REQUIRE(values(picked) == std::vector<float>{3, 1, 5, 5});
  sum(picked).backward();
  REQUIRE(values(x.grad()) == std::vector<float>{1, 0, 1, 0, 2, 0});
  REQUIRE(values(gather(x, 0, Indices{Shape{1, 3}, {1, 0, 1}})) == std::vector<float>{4, 2, 6});
}

TEST_CASE("Indexing.gather.gradcheck_with_repeated_indices", "[grad]") {
  const Indices index = index_along_middle(6, false);
  auto r = gradcheck([&](const std::vector<Var>& in) { return gather(in[0], 1, index); },
                     {uniform_leaf(Shape{3, 4, 5}, 1)});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Indexing.gather.refuses_an_index_that_does_not_fit", "[grad]") {
  Var x = leaf(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  REQUIRE_THROWS_AS(gather(x, 1, Indices{Shape{2, 1}, {3, 0}}), ShapeError);
  REQUIRE_THROWS_WITH(gather(x, 1, Indices{Shape{2, 1}, {3, 0}}),
                      "gather: index 3 is out of range for dim 1 of shape [2, 3]");
  REQUIRE_THROWS_WITH(gather(x, 1, Indices{Shape{2, 1}, {-1, 0}}), Catch::Contains("index -1 is out of range"));
  REQUIRE_THROWS_WITH(gather(x, 1, Indices{Shape{3, 1}, {0, 0, 0}}),
                      Catch::Contains("an index of shape [3, 1] (3 values) does not fit a tensor of shape [2, 3]"));
  REQUIRE_THROWS_WITH(gather(x, 1, Indices{Shape{2, 2}, {0, 0}}), Catch::Contains("(2 values) does not fit"));
  REQUIRE_THROWS_AS(gather(x, 2, kRowPicks), ShapeError);
}

TEST_CASE("Indexing.scatter.last_write_wins_and_scatter_add_sums", "[grad]") {
  Var x(Tensor(Shape{2, 3}), true);
  Var src = leaf(Shape{2, 2}, {10, 20, 30, 40});
  REQUIRE(values(scatter(x, 1, kRowPicks, src)) == std::vector<float>{20, 0, 10, 0, 40, 0});
  REQUIRE(values(scatter_add(x, 1, kRowPicks, src)) == std::vector<float>{20, 0, 10, 0, 70, 0});
  Var written = scatter(x, 1, kRowPicks, src);
  written.backward(Tensor(Shape{2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6}));
  REQUIRE(values(x.grad()) == std::vector<float>{0, 2, 0, 4, 0, 6});  // overwritten entries get none
  REQUIRE(values(src.grad()) == std::vector<float>{3, 1, 5, 5});     // each write its position's, as PyTorch
}

TEST_CASE("Indexing.scatter.gradcheck", "[grad]") {
  const Indices distinct = index_along_middle(3, true);
  const Indices repeated = index_along_middle(6, false);
  Var x = uniform_leaf(Shape{3, 4, 5}, 2);
  auto assign = gradcheck([&](const std::vector<Var>& in) { return scatter(in[0], 1, distinct, in[1]); },
                          {x, uniform_leaf(Shape{3, 3, 5}, 3)});
  auto add = gradcheck([&](const std::vector<Var>& in) { return scatter_add(in[0], 1, repeated, in[1]); },
                       {x, uniform_leaf(Shape{3, 6, 5}, 4)});
  INFO(assign.report << add.report);
  REQUIRE(assign.ok);
  REQUIRE(add.ok);
  REQUIRE_THROWS_WITH(scatter(x, 1, distinct, uniform_leaf(Shape{3, 2, 5}, 5)),
                      "scatter: expected shape [3, 3, 5], got [3, 2, 5]");
}

TEST_CASE("Indexing.where.selects_and_routes_the_gradient", "[grad]") {
  const Tensor condition(Shape{3}, std::vector<float>{1, 0, 1});
  Var a = leaf(Shape{3}, {1, 2, 3});
  Var b = leaf(Shape{3}, {4, 5, 6});
  Var out = where(condition, a, b);
  REQUIRE(values(out) == std::vector<float>{1, 5, 3});
  sum(out).backward();
  REQUIRE(values(a.grad()) == std::vector<float>{1, 0, 1});
  REQUIRE(values(b.grad()) == std::vector<float>{0, 1, 0});
  auto r = gradcheck([&](const std::vector<Var>& in) { return where(condition, in[0], in[1]); },
                     {uniform_leaf(Shape{3}, 6), uniform_leaf(Shape{3}, 7)});
  INFO(r.report);
  REQUIRE(r.ok);
  REQUIRE_THROWS_AS(where(condition, a, leaf(Shape{2}, {1, 2})), ShapeError);
}

TEST_CASE("Indexing.diagonal_and_eye", "[grad]") {
  Var x = leaf(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  REQUIRE(values(diagonal(x)) == std::vector<float>{1, 5});
  REQUIRE(values(eye(3)) == std::vector<float>{1, 0, 0, 0, 1, 0, 0, 0, 1});
  REQUIRE(eye(0).shape() == Shape({0, 0}));
  REQUIRE(values(diagonal(Var(eye(4)))) == std::vector<float>{1, 1, 1, 1});
  for (const Shape& shape : {Shape{4, 4}, Shape{3, 5}, Shape{5, 2}}) {
    auto r = gradcheck([](const std::vector<Var>& in) { return diagonal(in[0]); }, {uniform_leaf(shape, 8)});
    INFO(shape.str() << "\n" << r.report);
    REQUIRE(r.ok);
  }
  REQUIRE_THROWS_WITH(diagonal(leaf(Shape{3}, {1, 2, 3})), "diagonal: expected a matrix (rank 2), got shape [3]");
  REQUIRE_THROWS_AS(eye(-1), ShapeError);
}
