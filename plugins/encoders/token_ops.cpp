#include "token_ops.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "sslflow/ops.hpp"

namespace sslflow::encoders {

void init_mask_token(Tensor& token, Rng& rng) {
  constexpr float kStd = 0.02f, kBound = 2.0f;  // trunc_normal_(std=0.02) and its default a = -2, b = 2
  for (float& x : token.values()) {
    do x = kStd * rng.normal();
    while (std::abs(x) > kBound);
  }
}

Var patchify(const Var& x, const PatchGrid& grid) {
  const int64_t batch = x.dim(0);
  const int64_t height = grid.rows * grid.patch;
  const int64_t width = grid.cols * grid.patch;
  // Calls visit(image offset, token offset, P) for every patch row of P contiguous values.
  auto for_each_row = [grid, batch, height, width](auto&& visit) {
    const int64_t p = grid.patch;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t i = 0; i < grid.rows; ++i)
        for (int64_t j = 0; j < grid.cols; ++j) {
          const int64_t token = (b * grid.tokens() + i * grid.cols + j) * grid.values();
          for (int64_t c = 0; c < grid.channels; ++c)
            for (int64_t py = 0; py < p; ++py)
              visit(((b * grid.channels + c) * height + i * p + py) * width + j * p, token + (c * p + py) * p, p);
        }
  };
  Tensor out = Tensor::uninitialized(Shape{batch, grid.tokens(), grid.values()});  // (B, T, C*P*P)
  const float* src = x.value().data();
  float* dst = out.data();
  for_each_row([src, dst](int64_t image, int64_t token, int64_t n) { std::copy_n(src + image, n, dst + token); });
  return Var::from_op("patchify", out, {x}, [for_each_row](std::span<Var> in, const Tensor& g) {
    Tensor dx = Tensor::uninitialized(in[0].shape());  // (B, C, H, W), every value a patch's
    float* d = dx.data();
    const float* gd = g.data();
    for_each_row([d, gd](int64_t image, int64_t token, int64_t n) { std::copy_n(gd + token, n, d + image); });
    in[0].accumulate_grad(std::move(dx));
  });
}

Var replace_masked(const Var& tokens, const Tensor& mask, const Var& mask_token) {
  const int64_t rows = tokens.dim(0) * tokens.dim(1);
  const int64_t dim = tokens.dim(2);
  Tensor out = Tensor::uninitialized(tokens.shape());  // (B, T, D)
  const float* x = tokens.value().data();
  const float* token = mask_token.value().data();
  const float* m = mask.data();
  for (int64_t r = 0; r < rows; ++r) std::copy_n(m[r] != 0.0f ? token : x + r * dim, dim, out.data() + r * dim);
  return Var::from_op("replace_masked", out, {tokens, mask_token},
                      [mask, rows, dim](std::span<Var> in, const Tensor& g) {
                        const float* m = mask.data();
                        const float* gd = g.data();
                        if (in[0].requires_grad()) {
                          Tensor dx = Tensor::uninitialized(in[0].shape());  // (B, T, D)
                          for (int64_t r = 0; r < rows; ++r) {
                            float* row = dx.data() + r * dim;
                            if (m[r] != 0.0f)
                              std::fill_n(row, dim, 0.0f);
                            else
                              std::copy_n(gd + r * dim, dim, row);
                          }
                          in[0].accumulate_grad(std::move(dx));
                        }
                        if (in[1].requires_grad()) {
                          Tensor dt(in[1].shape());  // D values
                          for (int64_t r = 0; r < rows; ++r)
                            if (m[r] != 0.0f)
                              for (int64_t k = 0; k < dim; ++k) dt.data()[k] += gd[r * dim + k];
                          in[1].accumulate_grad(std::move(dt));
                        }
                      });
}

Var drop_masked(const Var& x, const Tensor& mask, int64_t visible) {
  const int64_t batch = x.dim(0), length = x.dim(1), dim = x.dim(2);
  std::vector<int64_t> rows;  // of x viewed as (B (T + 1), D)
  rows.reserve(size_t(batch * (visible + 1)));
  for (int64_t b = 0; b < batch; ++b) {
    rows.push_back(b * length);
    for (int64_t t = 0; t + 1 < length; ++t)
      if (mask.data()[b * (length - 1) + t] == 0.0f) rows.push_back(b * length + 1 + t);
  }
  const Var kept = index_select(reshape(x, Shape{batch * length, dim}), 0, rows);  // (B (K + 1), D)
  return reshape(kept, Shape{batch, visible + 1, dim});
}

Var prepend_class_token(const Var& x, const Var& cls_token, const Var& pos_embed) {
  const int64_t batch = x.dim(0);
  const int64_t tokens = x.dim(1);
  const int64_t dim = x.dim(2);
  const int64_t sample = (tokens + 1) * dim;  // values of one output sample
  Tensor out = Tensor::uninitialized(Shape{batch, tokens + 1, dim});  // (B, T + 1, D)
  const float* xd = x.value().data();
  const float* cls = cls_token.value().data();
  const float* pos = pos_embed.value().data();
  for (int64_t b = 0; b < batch; ++b) {
    float* o = out.data() + b * sample;
    const float* xb = xd + b * tokens * dim;
    for (int64_t k = 0; k < dim; ++k) o[k] = cls[k] + pos[k];
    for (int64_t k = dim; k < sample; ++k) o[k] = xb[k - dim] + pos[k];
  }
  return Var::from_op("prepend_class_token", out, {x, cls_token, pos_embed},
                      [batch, tokens, dim, sample](std::span<Var> in, const Tensor& g) {
                        const float* gd = g.data();
                        if (in[0].requires_grad()) {
                          Tensor dx = Tensor::uninitialized(in[0].shape());  // (B, T, D)
                          for (int64_t b = 0; b < batch; ++b)
                            std::copy_n(gd + b * sample + dim, tokens * dim, dx.data() + b * tokens * dim);
                          in[0].accumulate_grad(std::move(dx));
                        }
                        if (in[1].requires_grad()) {
                          Tensor dcls(in[1].shape());  // (1, 1, D)
                          for (int64_t b = 0; b < batch; ++b)
                            for (int64_t k = 0; k < dim; ++k) dcls.data()[k] += gd[b * sample + k];
                          in[1].accumulate_grad(std::move(dcls));
                        }
                        if (in[2].requires_grad()) {
                          Tensor dpos(in[2].shape());  // (1, T + 1, D)
                          for (int64_t b = 0; b < batch; ++b)
                            for (int64_t k = 0; k < sample; ++k) dpos.data()[k] += gd[b * sample + k];
                          in[2].accumulate_grad(std::move(dpos));
                        }
                      });
}

}  // namespace sslflow::encoders
