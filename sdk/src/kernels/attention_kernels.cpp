#include "kernels/attention_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "blas.hpp"
#include "kernels/elementwise_kernels.hpp"
#include "kernels/softmax_kernels.hpp"
#include "parallel.hpp"

namespace sslflow::kernels {

namespace {

// Floating-point operations one parallel task should cover at least.
constexpr int64_t kGrainFlops = int64_t{1} << 15;
// Rows of a weight-gradient product per partial sum, and the most partial sums.
constexpr int64_t kRowsPerPartial = 512;
constexpr int64_t kMaxPartials = 8;

// Per-head views into the packed projections: q, k and v of head h in batch b are
// (T, Dh) blocks with row stride 3D; their gradients share the layout.
struct HeadLayout {
  int64_t tokens, dim, head_dim, heads, row_stride;
  float scale;

  explicit HeadLayout(const AttentionDims& d)
      : tokens(d.tokens),
        dim(d.dim),
        head_dim(d.dim / d.heads),
        heads(d.heads),
        row_stride(3 * d.dim),
        scale(1.0f / std::sqrt(static_cast<float>(d.dim / d.heads))) {}

  int64_t q_offset(int64_t bh) const { return (bh / heads) * tokens * row_stride + (bh % heads) * head_dim; }
  int64_t ctx_offset(int64_t bh) const { return (bh / heads) * tokens * dim + (bh % heads) * head_dim; }
  int64_t grain() const { return std::max<int64_t>(1, kGrainFlops / (4 * tokens * tokens * head_dim)); }
};

// t (Dh, T) = the (T, Dh) block m with row stride ld, transposed, so that the loops over
// keys run over contiguous memory.
void transpose_head(float* t, const float* m, int64_t tokens, int64_t head_dim, int64_t ld) {
  for (int64_t j = 0; j < tokens; ++j)
    for (int64_t c = 0; c < head_dim; ++c) t[c * tokens + j] = m[j * ld + c];
}

// row (T) = a (Dh) . t (Dh, T), the products of one query with every key.
void row_times(float* row, const float* a, const float* t, float scale, int64_t tokens, int64_t head_dim) {
  std::fill_n(row, tokens, 0.0f);
  for (int64_t c = 0; c < head_dim; ++c) axpy(row, scale * a[c], t + c * tokens, tokens);
}

// out (rows, cols) = bias broadcast over rows, or zero when bias is null.
void fill_rows(float* out, const float* bias, int64_t rows, int64_t cols) {
  detail::parallel_for(rows, std::max<int64_t>(1, kGrainFlops / cols), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      if (bias)
        std::memcpy(out + r * cols, bias, sizeof(float) * cols);
      else
        std::fill_n(out + r * cols, cols, 0.0f);
    }
  });
}

// dw (O, I) += g^T a and db (O) += column sums of g, either may be null; g (rows, O),
// a (rows, I). The rows are split into a fixed number of partial sums (it depends on the
// size only, so results do not depend on the thread count) that run in parallel, because
// O alone is too few rows of dw to keep every thread busy.
void accumulate_weight_grad(float* dw, float* db, const float* g, const float* a, int64_t rows, int64_t out_features,
                            int64_t in_features) {
  if (!dw && !db) return;
  const int64_t parts = std::clamp<int64_t>(rows / kRowsPerPartial, 1, kMaxPartials);
  const int64_t part_size = out_features * in_features + out_features;  // dw then db
  std::vector<float> partial(parts * part_size);                         // (parts, O * I + O)
  detail::parallel_for(parts, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t r0 = rows * p / parts;
      const int64_t r1 = rows * (p + 1) / parts;
      float* pw = partial.data() + p * part_size;
      if (dw) detail::gemm(true, false, out_features, in_features, r1 - r0, 1.0f, g + r0 * out_features,
                           a + r0 * in_features, 0.0f, pw);
      if (db)
        for (int64_t r = r0; r < r1; ++r) add_inplace(pw + out_features * in_features, g + r * out_features, out_features);
    }
  });
  for (int64_t p = 0; p < parts; ++p) {
    const float* pw = partial.data() + p * part_size;
    if (dw) add_inplace(dw, pw, out_features * in_features);
    if (db) add_inplace(db, pw + out_features * in_features, out_features);
  }
}

}  // namespace

void attention_forward(float* out, float* qkv, float* probs, float* ctx, const float* x, const float* w_in,
                       const float* b_in, const float* w_out, const float* b_out, const AttentionDims& dims) {
  const int64_t rows = dims.batch * dims.tokens;
  const int64_t d = dims.dim;
  fill_rows(qkv, b_in, rows, 3 * d);
  detail::gemm(false, true, rows, 3 * d, d, 1.0f, x, w_in, 1.0f, qkv);

  const HeadLayout h(dims);
  const int64_t t = h.tokens;
  detail::parallel_for(dims.batch * dims.heads, h.grain(), [&](int64_t bh0, int64_t bh1) {
    std::vector<float> kt(h.head_dim * t);  // (Dh, T) keys of one head
    for (int64_t bh = bh0; bh < bh1; ++bh) {
      const float* q = qkv + h.q_offset(bh);  // (T, Dh), row stride 3D
      const float* k = q + d;
      const float* v = q + 2 * d;
      float* p = probs + bh * t * t;  // (T, T)
      float* o = ctx + h.ctx_offset(bh);  // (T, Dh), row stride D
      transpose_head(kt.data(), k, t, h.head_dim, h.row_stride);
      for (int64_t i = 0; i < t; ++i) {
        float* pi = p + i * t;
        row_times(pi, q + i * h.row_stride, kt.data(), h.scale, t, h.head_dim);
        softmax_row(pi, pi, t);
        float* oi = o + i * d;
        std::fill_n(oi, h.head_dim, 0.0f);
        for (int64_t j = 0; j < t; ++j) axpy(oi, pi[j], v + j * h.row_stride, h.head_dim);
      }
    }
  });

  fill_rows(out, b_out, rows, d);
  detail::gemm(false, true, rows, d, d, 1.0f, ctx, w_out, 1.0f, out);
}

void attention_backward(const AttentionGrads& grads, const float* dout, const float* x, const float* w_in,
                        const float* w_out, const float* qkv, const float* probs, const float* ctx,
                        const AttentionDims& dims) {
  const int64_t rows = dims.batch * dims.tokens;
  const int64_t d = dims.dim;
  accumulate_weight_grad(grads.w_out, grads.b_out, dout, ctx, rows, d, d);
  if (!grads.x && !grads.w_in && !grads.b_in) return;

  std::vector<float> dctx(rows * d);  // (B*T, D)
  detail::gemm(false, false, rows, d, d, 1.0f, dout, w_out, 0.0f, dctx.data());

  const HeadLayout h(dims);
  const int64_t t = h.tokens;
  std::vector<float> dqkv(rows * 3 * d);  // (B*T, 3D), zeroed: the heads accumulate into it
  detail::parallel_for(dims.batch * dims.heads, h.grain(), [&](int64_t bh0, int64_t bh1) {
    std::vector<float> vt(h.head_dim * t);  // (Dh, T) values of one head
    std::vector<float> ds(t);               // (T) gradient of one row of scores
    for (int64_t bh = bh0; bh < bh1; ++bh) {
      const float* q = qkv + h.q_offset(bh);  // (T, Dh), row stride 3D
      const float* k = q + d;
      const float* v = q + 2 * d;
      float* dq = dqkv.data() + h.q_offset(bh);
      float* dk = dq + d;
      float* dv = dq + 2 * d;
      const float* p = probs + bh * t * t;           // (T, T)
      const float* g = dctx.data() + h.ctx_offset(bh);  // (T, Dh), row stride D
      transpose_head(vt.data(), v, t, h.head_dim, h.row_stride);
      for (int64_t i = 0; i < t; ++i) {
        const float* pi = p + i * t;
        const float* gi = g + i * d;
        for (int64_t j = 0; j < t; ++j) axpy(dv + j * h.row_stride, pi[j], gi, h.head_dim);
        // dprobs, then through the softmax and the scale to the scores.
        row_times(ds.data(), gi, vt.data(), 1.0f, t, h.head_dim);
        const float dot = row_dot(pi, ds.data(), t);
        for (int64_t j = 0; j < t; ++j) ds[j] = h.scale * pi[j] * (ds[j] - dot);
        for (int64_t j = 0; j < t; ++j) {
          axpy(dq + i * h.row_stride, ds[j], k + j * h.row_stride, h.head_dim);
          axpy(dk + j * h.row_stride, ds[j], q + i * h.row_stride, h.head_dim);
        }
      }
    }
  });

  accumulate_weight_grad(grads.w_in, grads.b_in, dqkv.data(), x, rows, 3 * d, d);
  if (grads.x) detail::gemm(false, false, rows, d, 3 * d, 1.0f, dqkv.data(), w_in, 1.0f, grads.x);
}

}  // namespace sslflow::kernels
