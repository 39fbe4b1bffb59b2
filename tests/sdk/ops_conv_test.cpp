#include <catch2/catch.hpp>

#include "op_test_inputs.hpp"
#include "sslflow/sdk.hpp"
#include "sslflow/testing/gradcheck.hpp"

using namespace sslflow;

namespace {

// Direct-loop convolution, the definition conv2d must match.
Tensor reference_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding) {
  const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
  const int64_t o = w.dim(0), kh = w.dim(2), kw = w.dim(3);
  const int64_t oh = (h + 2 * padding - kh) / stride + 1, ow = (wd + 2 * padding - kw) / stride + 1;
  Tensor out(Shape{n, o, oh, ow});
  for (int64_t s = 0; s < n; ++s)
    for (int64_t f = 0; f < o; ++f)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          float acc = b.defined() ? b.data()[f] : 0.0f;
          for (int64_t ch = 0; ch < c; ++ch)
            for (int64_t ki = 0; ki < kh; ++ki)
              for (int64_t kj = 0; kj < kw; ++kj) {
                const int64_t y = i * stride - padding + ki, xx = j * stride - padding + kj;
                if (y < 0 || y >= h || xx < 0 || xx >= wd) continue;
                acc += x.data()[((s * c + ch) * h + y) * wd + xx] * w.data()[((f * c + ch) * kh + ki) * kw + kj];
              }
          out.data()[((s * o + f) * oh + i) * ow + j] = acc;
        }
  return out;
}

}  // namespace

TEST_CASE("Ops.conv2d.forward_by_hand", "[grad]") {
  // x = 1..9 as a 3x3 image; a 2x2 window of ones sums each 2x2 block.
  Var x(Tensor(Shape{1, 1, 3, 3}, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  Var w(Tensor::full(Shape{1, 1, 2, 2}, 1.0f));
  Tensor out = conv2d(x, w).value();
  REQUIRE(out.shape() == Shape{1, 1, 2, 2});
  CHECK(out.data()[0] == 12.0f);
  CHECK(out.data()[1] == 16.0f);
  CHECK(out.data()[2] == 24.0f);
  CHECK(out.data()[3] == 28.0f);
}

TEST_CASE("Ops.conv2d.forward_padding_stride_bias", "[grad]") {
  // 3x3 window of ones, padding 1, stride 2: the corners see their 2x2 neighbourhoods.
  // Channel 1 has a single centre tap of -1 and bias 0.5.
  Var x(Tensor(Shape{1, 1, 3, 3}, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  Tensor w(Shape{2, 1, 3, 3});
  for (int i = 0; i < 9; ++i) w.data()[i] = 1.0f;
  w.data()[9 + 4] = -1.0f;
  Var b(Tensor(Shape{2}, std::vector<float>{0.0f, 0.5f}));
  Tensor out = conv2d(x, Var(w), b, 2, 1).value();
  REQUIRE(out.shape() == Shape{1, 2, 2, 2});
  const std::vector<float> want{12, 16, 24, 28, -0.5f, -2.5f, -6.5f, -8.5f};
  for (int i = 0; i < 8; ++i) CHECK(out.data()[i] == want[i]);
}

TEST_CASE("Ops.conv2d.forward_matches_direct_loops", "[grad]") {
  // Small feature maps put many samples side by side in one product (and a partial last
  // group); a large map runs one sample per product. Both must match the definition, as
  // must strides above 2, padding wider than 1, kernels smaller than the stride, and the
  // output widths 28, 14 and 7 that the unfolding compiles separately.
  struct Case {
    Shape x, w;
    int stride, padding;
  };
  const Case cases[] = {{Shape{100, 3, 5, 4}, Shape{4, 3, 3, 2}, 2, 1},
                        {Shape{3, 2, 30, 29}, Shape{5, 2, 3, 3}, 1, 1},
                        {Shape{7, 4, 9, 9}, Shape{6, 4, 1, 1}, 1, 0},
                        {Shape{2, 3, 7, 8}, Shape{4, 3, 3, 3}, 3, 2},
                        {Shape{2, 2, 5, 6}, Shape{3, 2, 1, 1}, 2, 0},
                        {Shape{2, 1, 2, 3}, Shape{2, 1, 2, 2}, 3, 1},
                        {Shape{2, 3, 28, 28}, Shape{4, 3, 3, 3}, 1, 1},
                        {Shape{2, 2, 28, 27}, Shape{3, 2, 3, 3}, 2, 1},
                        {Shape{20, 2, 14, 14}, Shape{3, 2, 3, 3}, 2, 1}};
  for (const Case& c : cases) {
    Tensor x = test_inputs::uniform(c.x, "conv.x");
    Tensor w = test_inputs::uniform(c.w, "conv.w");
    Tensor b = test_inputs::uniform(Shape{c.w[0]}, "conv.b");
    test_inputs::require_close(conv2d(Var(x), Var(w), Var(b), c.stride, c.padding).value(),
                  reference_conv2d(x, w, b, c.stride, c.padding), 1e-4f);
    test_inputs::require_close(conv2d(Var(x), Var(w), {}, c.stride, c.padding).value(),
                  reference_conv2d(x, w, Tensor(), c.stride, c.padding), 1e-4f);
  }
}

TEST_CASE("Ops.conv2d.gradcheck_strided_padded", "[grad]") {
  Var x = test_inputs::param(Shape{3, 2, 5, 4}, "conv.x");
  Var w = test_inputs::param(Shape{3, 2, 3, 2}, "conv.w");
  Var b = test_inputs::param(Shape{3}, "conv.b");
  auto r = testing::gradcheck([](const std::vector<Var>& in) { return conv2d(in[0], in[1], in[2], 2, 1); }, {x, w, b});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Ops.conv2d.gradcheck_stride_3_padding_2", "[grad]") {
  Var x = test_inputs::param(Shape{2, 2, 7, 6}, "conv.x");
  Var w = test_inputs::param(Shape{3, 2, 3, 2}, "conv.w");
  Var b = test_inputs::param(Shape{3}, "conv.b");
  auto r = testing::gradcheck([](const std::vector<Var>& in) { return conv2d(in[0], in[1], in[2], 3, 2); }, {x, w, b});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Ops.conv2d.gradcheck_seven_wide_output", "[grad]") {
  // 14x14 at stride 2 gives the 7-wide output the unfolding compiles separately.
  Var x = test_inputs::param(Shape{2, 2, 14, 14}, "conv.x");
  Var w = test_inputs::param(Shape{3, 2, 3, 3}, "conv.w");
  Var b = test_inputs::param(Shape{3}, "conv.b");
  auto r = testing::gradcheck([](const std::vector<Var>& in) { return conv2d(in[0], in[1], in[2], 2, 1); }, {x, w, b});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Ops.conv2d.gradcheck_one_sample_per_product", "[grad]") {
  // A 28x28 output fills a column buffer on its own; no bias.
  Var x = test_inputs::param(Shape{2, 2, 28, 27}, "conv.x");
  Var w = test_inputs::param(Shape{3, 2, 3, 3}, "conv.w");
  auto r = testing::gradcheck([](const std::vector<Var>& in) { return conv2d(in[0], in[1], {}, 1, 1); }, {x, w});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Ops.conv2d.gradcheck_many_samples_per_product", "[grad]") {
  // 40 samples of a 3x2 output share one product; the weight gradient spans chunks.
  Var x = test_inputs::param(Shape{40, 3, 4, 3}, "conv.x");
  Var w = test_inputs::param(Shape{2, 3, 2, 2}, "conv.w");
  Var b = test_inputs::param(Shape{2}, "conv.b");
  auto r = testing::gradcheck([](const std::vector<Var>& in) { return conv2d(in[0], in[1], in[2], 1, 0); }, {x, w, b});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Ops.conv2d.gradcheck_bias_of_a_frozen_weight", "[grad]") {
  // Without a weight gradient the bias gradient is summed on its own, not in the product.
  const Var w(test_inputs::uniform(Shape{3, 2, 3, 3}, "conv.w"));
  Var x = test_inputs::param(Shape{5, 2, 4, 5}, "conv.x");
  Var b = test_inputs::param(Shape{3}, "conv.b");
  auto r = testing::gradcheck([&w](const std::vector<Var>& in) { return conv2d(in[0], w, in[1], 2, 1); }, {x, b});
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Ops.conv2d.gradient_skips_inputs_without_grad", "[grad]") {
  Var x(test_inputs::uniform(Shape{2, 1, 6, 6}, "conv.x"));
  Var w = test_inputs::param(Shape{4, 1, 3, 3}, "conv.w");
  conv2d(x, w, {}, 1, 1).backward(Tensor::full(Shape{2, 4, 6, 6}, 1.0f));
  REQUIRE(w.has_grad());
  REQUIRE_FALSE(x.has_grad());
}

TEST_CASE("Ops.conv2d.shape_errors", "[grad]") {
  Var x(Tensor(Shape{2, 3, 8, 8}));
  REQUIRE_THROWS_AS(conv2d(x, Var(Tensor(Shape{4, 2, 3, 3}))), ShapeError);                  // channels
  REQUIRE_THROWS_AS(conv2d(Var(Tensor(Shape{3, 8, 8})), Var(Tensor(Shape{4, 3, 3, 3}))), ShapeError);  // rank
  REQUIRE_THROWS_AS(conv2d(x, Var(Tensor(Shape{4, 3, 3, 3})), Var(Tensor(Shape{3}))), ShapeError);   // bias
  REQUIRE_THROWS_AS(conv2d(x, Var(Tensor(Shape{4, 3, 9, 9}))), ShapeError);                  // kernel > input
  REQUIRE_THROWS_WITH(conv2d(x, Var(Tensor(Shape{4, 2, 3, 3}))), Catch::Contains("conv2d") &&
                                                                     Catch::Contains("[2, 3, 8, 8]") &&
                                                                     Catch::Contains("[4, 2, 3, 3]"));
}
