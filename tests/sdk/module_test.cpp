#include <catch2/catch.hpp>

#include <cmath>

#include "sslflow/error.hpp"
#include "sslflow/init.hpp"
#include "sslflow/module.hpp"

using namespace sslflow;

namespace {

class Affine : public Module {
 public:
  Affine(int64_t in, int64_t out) {
    weight = register_parameter("weight", Tensor(Shape{out, in}));
    bias = register_parameter("bias", Tensor(Shape{out}));
  }
  Var weight, bias;
};

class Block : public Module {
 public:
  Block() {
    attn = register_module("attn", std::make_shared<Affine>(4, 12));
    norm_mean = register_buffer("running_mean", Tensor(Shape{4}));
  }
  std::shared_ptr<Affine> attn;
  Tensor norm_mean;
};

class Net : public Module {
 public:
  Net() {
    for (int i = 0; i < 2; ++i) blocks.push_back(register_module(std::to_string(i), std::make_shared<Block>()));
  }
  std::vector<std::shared_ptr<Block>> blocks;
};

class Wrapper : public Module {
 public:
  Wrapper() { net = register_module("blocks", std::make_shared<Net>()); }
  std::shared_ptr<Net> net;
};

}  // namespace

TEST_CASE("Module.named_parameters.dotted_pytorch_names", "[sdk]") {
  Wrapper w;
  auto params = w.named_parameters();
  REQUIRE(params.size() == 4);
  REQUIRE(params[0].first == "blocks.0.attn.weight");
  REQUIRE(params[3].first == "blocks.1.attn.bias");
  REQUIRE(params[0].second.shape() == Shape{12, 4});
  REQUIRE(params[0].second.requires_grad());
  auto buffers = w.named_buffers();
  REQUIRE(buffers.size() == 2);
  REQUIRE(buffers[1].first == "blocks.1.running_mean");
  REQUIRE(w.parameter_count() == 2 * (48 + 12));
}

TEST_CASE("Module.state_dict.round_trip_in_place", "[sdk]") {
  Wrapper a, b;
  a.net->blocks[0]->attn->weight.value().fill(0.5f);
  a.net->blocks[1]->norm_mean.fill(2.0f);
  b.load_state_dict(a.state_dict());
  REQUIRE(b.net->blocks[0]->attn->weight.value().data()[7] == 0.5f);
  REQUIRE(b.net->blocks[1]->norm_mean.data()[3] == 2.0f);
}

TEST_CASE("Module.load_state_dict.reports_names", "[sdk]") {
  Wrapper w;
  NamedTensors state = w.state_dict();
  state.pop_back();
  REQUIRE_THROWS_WITH(w.load_state_dict(state), Catch::Contains("missing tensor 'blocks.1.running_mean'"));
  state = w.state_dict();
  state.emplace_back("blocks.9.extra", Tensor(Shape{1}));
  REQUIRE_THROWS_WITH(w.load_state_dict(state), Catch::Contains("unexpected tensor 'blocks.9.extra'"));
  REQUIRE_NOTHROW(w.load_state_dict(state, false));
  state = w.state_dict();
  state[0].second = Tensor(Shape{3, 3});
  REQUIRE_THROWS_AS(w.load_state_dict(state), ShapeError);
}

TEST_CASE("Module.register.rejects_duplicate_names", "[sdk]") {
  Module m;
  m.register_parameter("w", Tensor(Shape{1}));
  REQUIRE_THROWS_AS(m.register_buffer("w", Tensor(Shape{1})), Error);
  REQUIRE_THROWS_AS(m.register_parameter("a.b", Tensor(Shape{1})), Error);
}

TEST_CASE("Module.train.propagates_to_children", "[sdk]") {
  Wrapper w;
  w.eval();
  REQUIRE_FALSE(w.net->blocks[1]->attn->is_training());
  w.train();
  REQUIRE(w.net->blocks[1]->attn->is_training());
}

TEST_CASE("Init.bounds.match_pytorch_formulas", "[sdk]") {
  Rng rng(0, "init");
  Tensor linear(Shape{256, 128});
  init::xavier_uniform(linear, rng);
  const double xavier = std::sqrt(6.0 / (128 + 256));
  double max_abs = 0;
  for (float x : linear.values()) max_abs = std::max(max_abs, double(std::abs(x)));
  REQUIRE(max_abs <= xavier);
  REQUIRE(max_abs > 0.95 * xavier);

  Tensor conv(Shape{64, 32, 3, 3});
  REQUIRE(init::fans(conv.shape()).in == 288);
  REQUIRE(init::fans(conv.shape()).out == 576);
  init::kaiming_uniform(conv, rng);
  const double kaiming = std::sqrt(2.0) * std::sqrt(3.0 / 288);
  max_abs = 0;
  for (float x : conv.values()) max_abs = std::max(max_abs, double(std::abs(x)));
  REQUIRE(max_abs <= kaiming);
  REQUIRE(max_abs > 0.95 * kaiming);

  Tensor normal(Shape{512, 256});
  init::kaiming_normal(normal, rng);
  double sq = 0;
  for (float x : normal.values()) sq += double(x) * x;
  REQUIRE(std::sqrt(sq / normal.numel()) == Approx(std::sqrt(2.0 / 256)).epsilon(0.02));

  Tensor trunc(Shape{10000});
  init::truncated_normal(trunc, rng, 0.02);
  for (float x : trunc.values()) REQUIRE(std::abs(x) <= 0.04f + 1e-7f);
}
