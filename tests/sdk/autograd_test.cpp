#include <catch2/catch.hpp>

#include <cmath>

#include <tbb/parallel_invoke.h>

#include "op_inputs.hpp"
#include "sslflow/sdk.hpp"

using namespace sslflow;
using sslflow::testing::leaf;
using sslflow::testing::values;

TEST_CASE("Autograd.Var.leaf_accumulates", "[grad]") {
  Var w(Tensor(Shape{2}, std::vector<float>{1, 2}), true);
  w.accumulate_grad(Tensor(Shape{2}, std::vector<float>{1, 1}));
  w.accumulate_grad(Tensor(Shape{2}, std::vector<float>{0.5f, 2}));
  REQUIRE(w.grad().data()[0] == 1.5f);
  REQUIRE(w.grad().data()[1] == 3.0f);
  w.zero_grad();
  REQUIRE_FALSE(w.has_grad());
}

TEST_CASE("Autograd.NoGrad.records_nothing", "[grad]") {
  Var w(Tensor::full(Shape{3}, 2.0f), true);
  {
    NoGrad guard;
    Var y = Var::from_op("twice", w.value().clone(), {w}, [](std::span<Var>, const Tensor&) {});
    REQUIRE_FALSE(y.requires_grad());
  }
  Var y = Var::from_op("twice", w.value().clone(), {w}, [](std::span<Var>, const Tensor&) {});
  REQUIRE(y.requires_grad());
}

TEST_CASE("Autograd.Var.detach_stops_gradient", "[grad]") {
  Var w(Tensor::full(Shape{1}, 3.0f), true);
  Var d = w.detach();
  REQUIRE_FALSE(d.requires_grad());
  REQUIRE(d.value().data()[0] == 3.0f);
}

TEST_CASE("Autograd.backward.deep_chain_is_iterative", "[grad]") {
  Var w(Tensor::full(Shape{1}, 1.0f), true);
  Var x = w;
  const int depth = 200000;  // far deeper than a recursive traversal's stack allows
  for (int i = 0; i < depth; ++i)
    x = Var::from_op("identity", x.value(), {x},
                     [](std::span<Var> in, const Tensor& g) { in[0].accumulate_grad(g); });
  x.backward();
  REQUIRE(w.grad().item() == 1.0f);
}

TEST_CASE("Autograd.backward.parallel_branches_share_a_parameter", "[grad]") {
  // Two branches built concurrently from one parameter, as two views through one encoder.
  Var w(Tensor::full(Shape{1000}, 1.0f), true);
  auto branch = [&](float scale) {
    Tensor v = w.value().clone();
    return Var::from_op("scale", v, {w}, [scale](std::span<Var> in, const Tensor& g) {
      Tensor d = g.clone();
      for (float& x : d.values()) x *= scale;
      in[0].accumulate_grad(std::move(d));
    });
  };
  for (int trial = 0; trial < 50; ++trial) {
    w.zero_grad();
    Var a, b;
    tbb::parallel_invoke([&] { a = branch(2.0f); }, [&] { b = branch(3.0f); });
    Tensor ones = Tensor::full(Shape{1000}, 1.0f);
    tbb::parallel_invoke([&] { a.backward(ones); }, [&] { b.backward(ones); });
    for (float g : w.grad().values()) REQUIRE(g == 5.0f);
  }
}

TEST_CASE("Autograd.backward.explicit_gradient_is_neither_changed_nor_kept", "[grad]") {
  const Tensor seed(Shape{2}, std::vector<float>{1, 2});
  Var w(Tensor(Shape{2}, std::vector<float>{3, 4}), true);
  Var y = Var::from_op("identity", w.value().clone(), {w},
                       [](std::span<Var> in, const Tensor& g) { in[0].accumulate_grad(g); });
  y.backward(seed);
  w.accumulate_grad(seed);  // adds to the parameter's own gradient, not to the seed
  REQUIRE(w.grad().data()[0] == 2.0f);
  REQUIRE(seed.data()[0] == 1.0f);

  Var leaf(Tensor(Shape{2}, std::vector<float>{5, 6}), true);
  leaf.backward(seed);
  leaf.accumulate_grad(seed);
  REQUIRE(leaf.grad().data()[1] == 4.0f);
  REQUIRE(seed.data()[1] == 2.0f);
}

TEST_CASE("Autograd.backward.names_the_op_and_scope_of_the_first_nonfinite_gradient", "[grad]") {
  Var x = leaf(Shape{3}, {1, 0, 4});
  Var loss;
  {
    OpScope outer("node 'outer'");
    Var y = mul(x, 2.0f);
    OpScope inner("node 'inner'");
    loss = sum(sqrt(y));  // d sqrt(y)/dy is infinite at y = 0, and mul's backward spreads it
  }
  REQUIRE_THROWS_MATCHES(loss.backward({.stop_at_nonfinite = true}), NonFiniteGradient,
                         Catch::Matchers::Message("the backward of op 'sqrt' in node 'inner' made a non-finite "
                                                  "gradient for its input 0 of shape [3] (inf at index 1) from a "
                                                  "finite gradient of its output"));
}

TEST_CASE("Autograd.backward.without_the_check_lets_a_nonfinite_gradient_through", "[grad]") {
  Var x = leaf(Shape{2}, {0, 1});
  sum(sqrt(x)).backward();
  REQUIRE(std::isinf(x.grad().data()[0]));
  REQUIRE(x.grad().data()[1] == 0.5f);
}

TEST_CASE("Autograd.backward.check_refuses_a_nonfinite_output_gradient", "[grad]") {
  Var x = leaf(Shape{2}, {1, 2});
  Var y = mul(x, 3.0f);
  REQUIRE_THROWS_WITH(y.backward(Tensor(Shape{2}, std::vector<float>{1, std::nanf("")}), {.stop_at_nonfinite = true}),
                      "backward(): the gradient given for the output is not finite (nan at index 1)");
}

TEST_CASE("Autograd.backward.check_passes_finite_gradients_unchanged", "[grad]") {
  Var a = leaf(Shape{2}, {1, 4});
  Var b = leaf(Shape{2}, {1, 4});
  sum(sqrt(a)).backward();
  sum(sqrt(b)).backward({.stop_at_nonfinite = true});
  REQUIRE(values(a.grad()) == values(b.grad()));
}

TEST_CASE("Autograd.OpScope.ops_outside_a_scope_are_named_so", "[grad]") {
  Var x = leaf(Shape{1}, {0});
  REQUIRE_THROWS_WITH(sum(sqrt(x)).backward({.stop_at_nonfinite = true}),
                      Catch::StartsWith("the backward of op 'sqrt' outside any op scope made"));
}
