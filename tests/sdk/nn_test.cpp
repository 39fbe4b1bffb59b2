#include <catch2/catch.hpp>

#include <cmath>

#include <tbb/parallel_invoke.h>

#include "op_test_inputs.hpp"
#include "sslflow/error.hpp"
#include "sslflow/nn/application.hpp"
#include "sslflow/nn/batch_norm.hpp"
#include "sslflow/nn/conv2d.hpp"
#include "sslflow/nn/layer_norm.hpp"
#include "sslflow/nn/linear.hpp"
#include "sslflow/nn/multi_head_attention.hpp"
#include "sslflow/ops.hpp"

using namespace sslflow;

namespace {

Var ramp(Shape shape, float scale) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = scale * static_cast<float>((i * 37) % 11 - 5);
  return Var(t);
}

}  // namespace

TEST_CASE("NN.layers.pytorch_names_and_layouts", "[sdk]") {
  Rng rng(0, "nn");
  nn::Linear linear(784, 512, rng);
  REQUIRE(linear.named_parameters()[0].first == "weight");
  REQUIRE(linear.weight.shape() == Shape{512, 784});
  const float bound = 1.0f / std::sqrt(784.0f);
  for (float w : linear.weight.value().values()) REQUIRE(std::abs(w) <= bound);
  nn::Conv2d conv(1, 32, 3, 1, 1, rng);
  REQUIRE(conv.weight.shape() == Shape{32, 1, 3, 3});
  nn::MultiHeadAttention attention(64, 4, rng);
  auto names = attention.named_parameters();
  REQUIRE(names.size() == 4);
  REQUIRE(names[0].first == "in_proj_weight");
  REQUIRE(names[2].first == "out_proj.weight");
  REQUIRE_THROWS_AS(nn::MultiHeadAttention(10, 4, rng), ShapeError);
  nn::BatchNorm bn(8);
  auto buffers = bn.named_buffers();
  REQUIRE(buffers.size() == 3);
  REQUIRE(buffers[2].first == "num_batches_tracked");
  REQUIRE(linear.forward(ramp(Shape{2, 784}, 0.01f)).shape() == Shape{2, 512});
  REQUIRE(conv.forward(ramp(Shape{2, 1, 28, 28}, 0.1f)).shape() == Shape{2, 32, 28, 28});
  REQUIRE(attention.forward(ramp(Shape{2, 17, 64}, 0.1f)).shape() == Shape{2, 17, 64});
  nn::LayerNorm ln(64);
  REQUIRE(ln.forward(ramp(Shape{2, 17, 64}, 0.1f)).shape() == Shape{2, 17, 64});
}

TEST_CASE("NN.BatchNorm.running_stats_follow_pytorch", "[sdk]") {
  nn::BatchNorm bn(2);
  Var x(Tensor(Shape{4, 2}, std::vector<float>{1, 10, 2, 20, 3, 30, 4, 40}));
  bn.forward(x);
  // mean (2.5, 25), unbiased var (1.6667, 166.67); momentum 0.1 from (0, 1)
  REQUIRE(bn.running_mean.data()[0] == Approx(0.25f));
  REQUIRE(bn.running_mean.data()[1] == Approx(2.5f));
  REQUIRE(bn.running_var.data()[0] == Approx(0.9f + 0.1f * 5.0f / 3.0f));
  REQUIRE(bn.num_batches_tracked.item() == 1.0f);
  bn.eval();
  Var y = bn.forward(x);
  REQUIRE(y.value().data()[0] == Approx((1.0f - 0.25f) / std::sqrt(bn.running_var.data()[0] + 1e-5f)));
}

TEST_CASE("NN.BatchNorm.forward_relu_is_relu_of_forward", "[sdk]") {
  nn::BatchNorm fused(3), separate(3);
  const Tensor x = test_inputs::uniform(Shape{6, 3, 2, 2}, "bn.x");
  for (bool training : {true, false}) {
    fused.train(training);
    separate.train(training);
    test_inputs::require_close(fused.forward_relu(Var(x)).value(), relu(separate.forward(Var(x))).value(), 1e-6f);
    test_inputs::require_close(fused.running_mean, separate.running_mean, 0.0f);
    test_inputs::require_close(fused.running_var, separate.running_var, 0.0f);
  }
  REQUIRE(fused.num_batches_tracked.item() == 1.0f);
}

TEST_CASE("NN.BatchNorm.concurrent_applications_update_in_order", "[sdk]") {
  Var a = ramp(Shape{8, 3}, 0.5f), b = ramp(Shape{8, 3}, -2.0f);
  nn::BatchNorm sequential(3);
  sequential.forward(a);
  sequential.forward(b);
  for (int trial = 0; trial < 20; ++trial) {
    nn::BatchNorm staged(3);
    tbb::parallel_invoke(
        [&] {
          nn::ApplicationScope scope(0);
          staged.forward(a);
        },
        [&] {
          nn::ApplicationScope scope(1);
          staged.forward(b);
        });
    REQUIRE(staged.num_batches_tracked.item() == 0.0f);
    staged.end_step(0, 1);
    for (int c = 0; c < 3; ++c) {
      REQUIRE(staged.running_mean.data()[c] == sequential.running_mean.data()[c]);
      REQUIRE(staged.running_var.data()[c] == sequential.running_var.data()[c]);
    }
  }
}
