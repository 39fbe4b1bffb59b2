#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "random_input.hpp"
#include "sslflow/sdk.hpp"
#include "sslflow/testing/gradcheck.hpp"

using namespace sslflow;
using Catch::Matchers::WithinAbs;
using sslflow::testing::gradcheck;
using sslflow::testing::GradcheckOptions;
using sslflow::testing::random_input;

namespace {

struct Attention {
  Var x, w_in, b_in, w_out, b_out;
  int heads;

  Attention(int64_t batch, int64_t tokens, int64_t dim, int heads_, const std::string& name)
      : x(random_input(Shape{batch, tokens, dim}, name + ".x")),
        w_in(random_input(Shape{3 * dim, dim}, name + ".w_in", 0.5f)),
        b_in(random_input(Shape{3 * dim}, name + ".b_in", 0.5f)),
        w_out(random_input(Shape{dim, dim}, name + ".w_out", 0.5f)),
        b_out(random_input(Shape{dim}, name + ".b_out", 0.5f)),
        heads(heads_) {}

  std::vector<Var> inputs() const { return {x, w_in, b_in, w_out, b_out}; }
};

Var attend(const std::vector<Var>& in, int heads) { return multi_head_attention(in[0], in[1], in[2], in[3], in[4], heads); }

// Straightforward attention in double, loop by loop, following PyTorch's definition.
std::vector<double> reference(const Attention& a) {
  const int64_t B = a.x.dim(0), T = a.x.dim(1), D = a.x.dim(2), Dh = D / a.heads;
  const float* x = a.x.value().data();
  const float* w_in = a.w_in.value().data();
  const float* b_in = a.b_in.value().data();
  const float* w_out = a.w_out.value().data();
  const float* b_out = a.b_out.value().data();
  std::vector<double> qkv(B * T * 3 * D), ctx(B * T * D, 0.0), out(B * T * D);
  for (int64_t r = 0; r < B * T; ++r)
    for (int64_t o = 0; o < 3 * D; ++o) {
      double s = b_in[o];
      for (int64_t i = 0; i < D; ++i) s += double(x[r * D + i]) * w_in[o * D + i];
      qkv[r * 3 * D + o] = s;
    }
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < a.heads; ++h)
      for (int64_t i = 0; i < T; ++i) {
        std::vector<double> p(T);
        double total = 0.0;
        for (int64_t j = 0; j < T; ++j) {
          double s = 0.0;
          for (int64_t c = 0; c < Dh; ++c) s += qkv[(b * T + i) * 3 * D + h * Dh + c] * qkv[(b * T + j) * 3 * D + D + h * Dh + c];
          p[j] = std::exp(s / std::sqrt(double(Dh)));
          total += p[j];
        }
        for (int64_t j = 0; j < T; ++j)
          for (int64_t c = 0; c < Dh; ++c)
            ctx[(b * T + i) * D + h * Dh + c] += p[j] / total * qkv[(b * T + j) * 3 * D + 2 * D + h * Dh + c];
      }
  for (int64_t r = 0; r < B * T; ++r)
    for (int64_t o = 0; o < D; ++o) {
      double s = b_out[o];
      for (int64_t i = 0; i < D; ++i) s += ctx[r * D + i] * w_out[o * D + i];
      out[r * D + o] = s;
    }
  return out;
}

void require_matches_reference(const Attention& a) {
  Var y = attend(a.inputs(), a.heads);
  REQUIRE(y.shape() == a.x.shape());
  const std::vector<double> expected = reference(a);
  for (size_t i = 0; i < expected.size(); ++i) REQUIRE_THAT(y.value().data()[i], WithinAbs(expected[i], 1e-4));
}

}  // namespace

TEST_CASE("Ops.multi_head_attention.values_by_hand") {
  // q = k = x and v = x + (0.5, 0): scores x x^T / sqrt(2) = I / sqrt(2), so each token
  // keeps 1 / (1 + exp(-1/sqrt(2))) = 0.669761 of its own value.
  Var x(Tensor(Shape{1, 2, 2}, std::vector<float>{1, 0, 0, 1}));
  Var w_in(Tensor(Shape{6, 2}, std::vector<float>{1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1}));
  Var b_in(Tensor(Shape{6}, std::vector<float>{0, 0, 0, 0, 0.5f, 0}));
  Var w_out(Tensor(Shape{2, 2}, std::vector<float>{1, 0, 0, 1}));
  Var b_out(Tensor(Shape{2}, std::vector<float>{1, -1}));
  Var y = multi_head_attention(x, w_in, b_in, w_out, b_out, 1);
  const float own = 0.669761f;
  const std::vector<float> expected{own + 1.5f, (1 - own) - 1, (1 - own) + 1.5f, own - 1};
  for (size_t i = 0; i < expected.size(); ++i) REQUIRE_THAT(y.value().data()[i], WithinAbs(expected[i], 1e-5));
}

TEST_CASE("Ops.multi_head_attention.matches_reference") {
  require_matches_reference(Attention(2, 3, 4, 2, "mha.small"));
  // The ViT shape (T = 17 tokens, D = 64, 4 heads) at a batch that splits into tasks.
  require_matches_reference(Attention(8, 17, 64, 4, "mha.vit"));
}

TEST_CASE("Ops.multi_head_attention.gradcheck", "[grad]") {
  const Attention a(2, 3, 4, 2, "mha.grad");
  auto r = gradcheck([&](const std::vector<Var>& in) { return attend(in, a.heads); }, a.inputs());
  INFO(r.report);
  REQUIRE(r.ok);
  REQUIRE(r.entries_checked == 24 + 48 + 12 + 16 + 4);
}

TEST_CASE("Ops.multi_head_attention.gradcheck_frozen_input", "[grad]") {
  Attention a(3, 2, 6, 3, "mha.frozen");
  a.x = a.x.detach();
  auto r = gradcheck([&](const std::vector<Var>& in) { return attend(in, a.heads); }, a.inputs());
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Ops.multi_head_attention.gradcheck_large_batch", "[grad]") {
  // Enough rows (64 * 17) that the weight gradients are summed from several partials.
  const Attention a(64, 17, 8, 2, "mha.large");
  GradcheckOptions options;
  options.max_entries_per_input = 12;
  auto r = gradcheck([&](const std::vector<Var>& in) { return attend(in, a.heads); }, a.inputs(), options);
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("Ops.multi_head_attention.shape_error") {
  const Attention a(2, 3, 4, 2, "mha.errors");
  REQUIRE_THROWS_AS(multi_head_attention(a.x, a.w_in, a.b_in, a.w_out, a.b_out, 3), ShapeError);
  REQUIRE_THROWS_AS(multi_head_attention(a.x, a.w_out, a.b_in, a.w_out, a.b_out, 2), ShapeError);
  REQUIRE_THROWS_AS(multi_head_attention(a.x, a.w_in, a.b_out, a.w_out, a.b_out, 2), ShapeError);
  REQUIRE_THROWS_AS(multi_head_attention(a.x, a.w_in, a.b_in, a.w_in, a.b_out, 2), ShapeError);
  REQUIRE_THROWS_AS(multi_head_attention(a.x, a.w_in, a.b_in, a.w_out, a.b_in, 2), ShapeError);
  REQUIRE_THROWS_AS(multi_head_attention(reshape(a.x, Shape{6, 4}), a.w_in, a.b_in, a.w_out, a.b_out, 2),
                    ShapeError);
}
