#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "op_inputs.hpp"
#include "sslflow/sdk.hpp"
#include "sslflow/testing/gradcheck.hpp"

using namespace sslflow;
using sslflow::testing::gradcheck;
using sslflow::testing::leaf;
using sslflow::testing::uniform_leaf;
using sslflow::testing::values;

TEST_CASE("Reduce.sum.all_elements", "[grad]") {
  Var x = leaf(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  Var s = sum(x);
  REQUIRE(s.shape() == Shape{});
  REQUIRE(s.value().item() == 21.0f);
  s.backward();
  REQUIRE(values(x.grad()) == std::vector<float>{1, 1, 1, 1, 1, 1});
}

TEST_CASE("Reduce.mean.all_elements", "[grad]") {
  Var x = leaf(Shape{2, 2}, {1, 2, 3, 6});
  Var m = mean(x);
  REQUIRE(m.value().item() == 3.0f);
  m.backward();
  REQUIRE(values(x.grad()) == std::vector<float>{0.25f, 0.25f, 0.25f, 0.25f});
}

TEST_CASE("Reduce.sum.along_dim", "[grad]") {
  Var x = leaf(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  REQUIRE(values(sum(x, 0).value()) == std::vector<float>{5, 7, 9});
  REQUIRE(values(sum(x, 1).value()) == std::vector<float>{6, 15});
  REQUIRE(values(sum(x, -1).value()) == std::vector<float>{6, 15});
  REQUIRE(sum(x, 0).shape() == Shape{3});
  REQUIRE(sum(x, 0, true).shape() == Shape({1, 3}));
  REQUIRE(sum(x, -1, true).shape() == Shape({2, 1}));
}

TEST_CASE("Reduce.mean.along_middle_dim", "[grad]") {
  // (2, 2, 2): the reduced dimension has elements before and after it.
  Var x = leaf(Shape{2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Var m = mean(x, 1);
  REQUIRE(m.shape() == Shape({2, 2}));
  REQUIRE(values(m.value()) == std::vector<float>{2, 3, 6, 7});
  m.backward(Tensor(Shape{2, 2}, std::vector<float>{1, 2, 3, 4}));
  REQUIRE(values(x.grad()) == std::vector<float>{0.5f, 1, 0.5f, 1, 1.5f, 2, 1.5f, 2});
}

TEST_CASE("Reduce.sum_mean.gradcheck_every_dim", "[grad]") {
  Var x = uniform_leaf(Shape{3, 4, 5}, 1);
  for (int dim : {0, 1, 2, -1})
    for (bool keepdim : {false, true}) {
      auto rs = gradcheck([=](const std::vector<Var>& in) { return sum(in[0], dim, keepdim); }, {x});
      auto rm = gradcheck([=](const std::vector<Var>& in) { return mean(in[0], dim, keepdim); }, {x});
      INFO("dim " << dim << " keepdim " << keepdim << "\n" << rs.report << rm.report);
      REQUIRE(rs.ok);
      REQUIRE(rm.ok);
    }
  auto r = gradcheck([](const std::vector<Var>& in) { return sum(in[0]) * mean(in[0]); }, {x});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Reduce.sum.large_matches_double", "[grad]") {
  // Many chunks and columns wider than one block: the parallel paths.
  const int64_t rows = 257, cols = 300;
  Var x = uniform_leaf(Shape{rows, cols}, 2);
  const float* v = x.value().data();
  double total = 0.0;
  std::vector<double> col(cols, 0.0), row(rows, 0.0);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      total += v[i * cols + j];
      col[j] += v[i * cols + j];
      row[i] += v[i * cols + j];
    }
  REQUIRE(sum(x).value().item() == Approx(total).margin(1e-3));
  Tensor by_col = sum(x, 0).value();
  Tensor by_row = mean(x, 1).value();
  for (int64_t j = 0; j < cols; ++j) REQUIRE(by_col.data()[j] == Approx(col[j]).margin(1e-4));
  for (int64_t i = 0; i < rows; ++i) REQUIRE(by_row.data()[i] == Approx(row[i] / cols).margin(1e-6));
}

TEST_CASE("Reduce.sum.dim_out_of_range_throws", "[grad]") {
  Var x = uniform_leaf(Shape{2, 3}, 3);
  REQUIRE_THROWS_AS(sum(x, 2), ShapeError);
  REQUIRE_THROWS_AS(mean(x, -3), ShapeError);
}

TEST_CASE("Reduce.var_std_dev.by_hand", "[grad]") {
  Var x = leaf(Shape{2, 4}, {1, 2, 3, 4, 2, 2, 2, 2});
  REQUIRE_THAT(values(var(x, 1)), Catch::Matchers::Approx(std::vector<float>{5.0f / 3.0f, 0.0f}));
  REQUIRE_THAT(values(var(x, 1, false)), Catch::Matchers::Approx(std::vector<float>{1.25f, 0.0f}));
  REQUIRE_THAT(values(std_dev(x, 1)), Catch::Matchers::Approx(std::vector<float>{std::sqrt(5.0f / 3.0f), 0.0f}));
  REQUIRE(var(x, 0, true, true).shape() == Shape({1, 4}));
  REQUIRE_THAT(values(var(x, 0)), Catch::Matchers::Approx(std::vector<float>{0.5f, 0.0f, 0.5f, 2.0f}));
  REQUIRE_THROWS_WITH(var(leaf(Shape{1, 3}, {1, 2, 3}), 0),
                      "var: dim 0 of shape [1, 3] has 1 elements; an unbiased variance needs at least 2");
}

TEST_CASE("Reduce.var_std_dev.gradcheck_every_dim", "[grad]") {
  Var x = uniform_leaf(Shape{3, 4, 5}, 2);
  for (int dim : {0, 1, 2, -1})
    for (bool unbiased : {false, true}) {
      auto rv = gradcheck([=](const std::vector<Var>& in) { return var(in[0], dim, unbiased); }, {x});
      auto rs = gradcheck([=](const std::vector<Var>& in) { return std_dev(in[0], dim, unbiased, true); }, {x});
      INFO("dim " << dim << " unbiased " << unbiased << "\n" << rv.report << rs.report);
      REQUIRE(rv.ok);
      REQUIRE(rs.ok);
    }
}

TEST_CASE("Reduce.logsumexp.stable_by_hand", "[grad]") {
  Var x = leaf(Shape{2, 2}, {1000, 1000, 0, std::log(3.0f)});
  REQUIRE_THAT(values(logsumexp(x, 1)), Catch::Matchers::Approx(std::vector<float>{1000.0f + std::log(2.0f), std::log(4.0f)}));
  REQUIRE(logsumexp(x, 1, true).shape() == Shape({2, 1}));
  Var all_minus_inf = leaf(Shape{2}, {-INFINITY, -INFINITY});
  REQUIRE(logsumexp(all_minus_inf, 0).value().item() == -INFINITY);
  sum(logsumexp(x, 1)).backward();
  REQUIRE_THAT(values(x.grad()), Catch::Matchers::Approx(std::vector<float>{0.5f, 0.5f, 0.25f, 0.75f}));
}

TEST_CASE("Reduce.logsumexp.gradcheck_every_dim", "[grad]") {
  Var x = uniform_leaf(Shape{3, 4, 5}, 3, -3.0f, 3.0f);
  for (int dim : {0, 1, 2})
    for (bool keepdim : {false, true}) {
      auto r = gradcheck([=](const std::vector<Var>& in) { return logsumexp(in[0], dim, keepdim); }, {x});
      INFO("dim " << dim << " keepdim " << keepdim << "\n" << r.report);
      REQUIRE(r.ok);
    }
}

TEST_CASE("Reduce.cumsum.by_hand_and_gradcheck", "[grad]") {
  Var x = leaf(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  REQUIRE(values(cumsum(x, 1)) == std::vector<float>{1, 3, 6, 4, 9, 15});
  REQUIRE(values(cumsum(x, 0)) == std::vector<float>{1, 2, 3, 5, 7, 9});
  sum(cumsum(x, -1)).backward();
  REQUIRE(values(x.grad()) == std::vector<float>{3, 2, 1, 3, 2, 1});
  Var y = uniform_leaf(Shape{3, 4, 5}, 4);
  for (int dim : {0, 1, 2}) {
    auto r = gradcheck([=](const std::vector<Var>& in) { return cumsum(in[0], dim); }, {y});
    INFO("dim " << dim << "\n" << r.report);
    REQUIRE(r.ok);
  }
}
