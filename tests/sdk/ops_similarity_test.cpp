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

TEST_CASE("Similarity.l2_normalize.values", "[grad]") {
  Var x = leaf(Shape{2, 2}, {3, 4, 0, 0});
  REQUIRE(values(l2_normalize(x).value()) == std::vector<float>{0.6f, 0.8f, 0, 0});
  // Along dim 0 the vectors are the columns.
  Var cols = leaf(Shape{2, 2}, {3, 0, 4, 2});
  REQUIRE(values(l2_normalize(cols, 0).value()) == std::vector<float>{0.6f, 0, 0.8f, 1});
}

TEST_CASE("Similarity.l2_normalize.gradcheck", "[grad]") {
  auto last = gradcheck([](const std::vector<Var>& in) { return l2_normalize(in[0]); }, {uniform_leaf(Shape{4, 6}, 1)});
  INFO(last.report);
  REQUIRE(last.ok);
  auto middle = gradcheck([](const std::vector<Var>& in) { return l2_normalize(in[0], 1); },
                          {uniform_leaf(Shape{2, 3, 4}, 2)});
  INFO(middle.report);
  REQUIRE(middle.ok);
}

TEST_CASE("Similarity.l2_normalize.clamped_norm_gradient", "[grad]") {
  // ||x|| below eps: y = x / eps, so dy/dx = 1 / eps (as F.normalize).
  Var x = leaf(Shape{1, 2}, {1e-13f, 2e-13f});
  Var y = l2_normalize(x, -1, 1e-12f);
  REQUIRE(y.value().data()[1] == Approx(0.2f));
  y.backward(Tensor::full(Shape{1, 2}, 1.0f));
  REQUIRE(x.grad().data()[0] == Approx(1e12));
  REQUIRE(x.grad().data()[1] == Approx(1e12));
}

TEST_CASE("Similarity.cosine_similarity.values", "[grad]") {
  Var a = leaf(Shape{3, 2}, {1, 0, 1, 0, 2, 2});
  Var b = leaf(Shape{3, 2}, {1, 1, 0, 3, -1, -1});
  Var c = cosine_similarity(a, b);
  REQUIRE(c.shape() == Shape{3});
  REQUIRE(c.value().data()[0] == Approx(1.0 / std::sqrt(2.0)));
  REQUIRE(c.value().data()[1] == 0.0f);
  REQUIRE(c.value().data()[2] == Approx(-1.0));
  Var by_col = cosine_similarity(a, b, 0);
  REQUIRE(by_col.shape() == Shape{2});
}

TEST_CASE("Similarity.cosine_similarity.clamps_each_norm", "[grad]") {
  // As F.cosine_similarity in PyTorch 1.13: each norm is clamped to eps on its own, so two
  // tiny parallel vectors still have similarity 1, and a vector below eps is scaled by 1/eps.
  Var tiny = leaf(Shape{1, 2}, {1e-5f, 0});
  REQUIRE(cosine_similarity(tiny, tiny).value().item() == Approx(1.0));
  Var below = leaf(Shape{1, 2}, {1e-9f, 0});
  Var unit = leaf(Shape{1, 2}, {1, 0});
  REQUIRE(cosine_similarity(below, unit).value().item() == Approx(0.1));
}

TEST_CASE("Similarity.cosine_similarity.gradcheck", "[grad]") {
  auto last = gradcheck([](const std::vector<Var>& in) { return cosine_similarity(in[0], in[1]); },
                        {uniform_leaf(Shape{5, 7}, 1), uniform_leaf(Shape{5, 7}, 2)});
  INFO(last.report);
  REQUIRE(last.ok);
  auto middle = gradcheck([](const std::vector<Var>& in) { return cosine_similarity(in[0], in[1], 1); },
                          {uniform_leaf(Shape{3, 4, 2}, 3), uniform_leaf(Shape{3, 4, 2}, 4)});
  INFO(middle.report);
  REQUIRE(middle.ok);
  // Only one operand needs a gradient (a stop-gradient target).
  Var target = uniform_leaf(Shape{4, 3}, 5).detach();
  auto one_sided = gradcheck([target](const std::vector<Var>& in) { return cosine_similarity(in[0], target); },
                             {uniform_leaf(Shape{4, 3}, 6)});
  INFO(one_sided.report);
  REQUIRE(one_sided.ok);
}

TEST_CASE("Similarity.cosine_similarity.shape_mismatch_throws", "[grad]") {
  REQUIRE_THROWS_AS(cosine_similarity(uniform_leaf(Shape{4, 3}, 1), uniform_leaf(Shape{4, 2}, 2)), ShapeError);
  REQUIRE_THROWS_AS(cosine_similarity(uniform_leaf(Shape{4, 3}, 1), uniform_leaf(Shape{4, 3}, 2), 2), ShapeError);
  REQUIRE_THROWS_AS(l2_normalize(uniform_leaf(Shape{4, 3}, 1), -3), ShapeError);
}

TEST_CASE("Similarity.cosine_similarity.of_a_vector_with_itself_is_exactly_one", "[sdk]") {
  sslflow::Rng rng(3, "cosine.self");
  sslflow::Tensor t(sslflow::Shape{64, 37});
  for (float& x : t.values()) x = rng.normal() * 3.0f;
  const sslflow::Var a(t);
  const sslflow::Var cosine = sslflow::cosine_similarity(a, a);
  REQUIRE(cosine.shape() == sslflow::Shape{64});
  for (float c : cosine.value().values()) REQUIRE(c == 1.0f);
}
