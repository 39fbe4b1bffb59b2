#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "random_input.hpp"
#include "sslflow/sdk.hpp"
#include "sslflow/testing/gradcheck.hpp"

using namespace sslflow;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using sslflow::testing::gradcheck;
using sslflow::testing::random_input;

namespace {

Var constant(Shape shape, std::vector<float> values) { return Var(Tensor(shape, values)); }

void require_values(const Var& v, const std::vector<float>& expected, double tolerance = 1e-6) {
  REQUIRE(v.value().numel() == static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) REQUIRE_THAT(v.value().data()[i], WithinAbs(expected[i], tolerance));
}

}  // namespace

TEST_CASE("Ops.softmax.values") {
  require_values(softmax(constant(Shape{1, 3}, {1, 2, 3})), {0.09003057f, 0.24472847f, 0.66524096f});
  // Shifted far beyond exp's range: the maximum is subtracted first.
  require_values(softmax(constant(Shape{1, 3}, {1000, 1001, 1002})), {0.09003057f, 0.24472847f, 0.66524096f});
}

TEST_CASE("Ops.softmax.values_along_dim_0") {
  const float ln3 = std::log(3.0f);
  require_values(softmax(constant(Shape{2, 2}, {0, ln3, 0, 0}), 0), {0.5f, 0.75f, 0.5f, 0.25f});
}

TEST_CASE("Ops.softmax.gradcheck", "[grad]") {
  Var rows = random_input(Shape{3, 5}, "softmax.rows");
  auto r = gradcheck([](const std::vector<Var>& in) { return softmax(in[0], -1); }, {rows});
  INFO(r.report);
  REQUIRE(r.ok);
  Var middle = random_input(Shape{2, 3, 4}, "softmax.middle");
  auto m = gradcheck([](const std::vector<Var>& in) { return softmax(in[0], 1); }, {middle});
  INFO(m.report);
  REQUIRE(m.ok);
}

TEST_CASE("Ops.softmax.shape_error") {
  REQUIRE_THROWS_AS(softmax(random_input(Shape{2, 3}, "x"), 2), ShapeError);
}

TEST_CASE("Ops.log_softmax.values") {
  require_values(log_softmax(constant(Shape{1, 3}, {1, 2, 3})), {-2.40760596f, -1.40760596f, -0.40760596f});
  require_values(log_softmax(constant(Shape{1, 3}, {-1000, 0, 1000})), {-2000, -1000, 0}, 1e-3);
  const float ln3 = std::log(3.0f);
  require_values(log_softmax(constant(Shape{2, 2}, {0, ln3, 0, 0}), 0),
                 {std::log(0.5f), std::log(0.75f), std::log(0.5f), std::log(0.25f)});
}

TEST_CASE("Ops.log_softmax.gradcheck", "[grad]") {
  Var rows = random_input(Shape{4, 3}, "log_softmax.rows");
  auto r = gradcheck([](const std::vector<Var>& in) { return log_softmax(in[0]); }, {rows});
  INFO(r.report);
  REQUIRE(r.ok);
  Var middle = random_input(Shape{2, 3, 2, 2}, "log_softmax.middle");
  auto m = gradcheck([](const std::vector<Var>& in) { return log_softmax(in[0], -3); }, {middle});
  INFO(m.report);
  REQUIRE(m.ok);
}

TEST_CASE("Ops.log_softmax.shape_error") {
  REQUIRE_THROWS_AS(log_softmax(random_input(Shape{2, 3}, "x"), -3), ShapeError);
}

TEST_CASE("Ops.cross_entropy.values") {
  Var logits = constant(Shape{2, 3}, {1, 2, 3, 0, 0, 0});
  const std::vector<int64_t> labels{2, 0};
  const float ln3 = std::log(3.0f);
  require_values(cross_entropy(logits, labels, Reduction::None), {0.40760596f, ln3});
  require_values(cross_entropy(logits, labels, Reduction::Sum), {0.40760596f + ln3});
  require_values(cross_entropy(logits, labels), {(0.40760596f + ln3) / 2});
  REQUIRE(cross_entropy(logits, labels).shape() == Shape{});
}

TEST_CASE("Ops.cross_entropy.gradcheck", "[grad]") {
  Var logits = random_input(Shape{4, 5}, "cross_entropy.logits", 2.0f);
  const std::vector<int64_t> labels{4, 0, 2, 2};
  for (Reduction reduction : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    auto r = gradcheck([&](const std::vector<Var>& in) { return cross_entropy(in[0], labels, reduction); }, {logits});
    INFO(r.report);
    REQUIRE(r.ok);
  }
}

TEST_CASE("Ops.cross_entropy.errors") {
  Var logits = random_input(Shape{2, 3}, "logits");
  REQUIRE_THROWS_WITH(cross_entropy(logits, {0, 3}), Contains("label 3 of sample 1"));
  REQUIRE_THROWS_AS(cross_entropy(logits, {0, -1}), Error);
  REQUIRE_THROWS_AS(cross_entropy(logits, {0}), ShapeError);
  REQUIRE_THROWS_AS(cross_entropy(random_input(Shape{2, 3, 1}, "x"), {0, 1}), ShapeError);
}
