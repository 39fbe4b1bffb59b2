#include "kernels/norm_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/elementwise_kernels.hpp"
#include "kernels/simd_clones.hpp"
#include "kernels/vector_sums.hpp"
#include "parallel.hpp"

namespace sslflow::kernels {

namespace {

constexpr int64_t kChannelsPerTask = 8;
constexpr int64_t kRowsPerChunk = 32;

// sum over n of row_fn(row) for the rows (S) of channel c in x (N, C, S), in double.
template <class RowFn>
double sum_channel_rows(const float* x, int64_t c, const BatchNormSizes& s, RowFn row_fn) {
  double total = 0.0;
  for (int64_t n = 0; n < s.batch; ++n) total += row_fn(x + (n * s.channels + c) * s.pixels);
  return total;
}

// Calls row_fn(n, offset) for each row (n, c) of channel c; offset is the row's start in (N, C, S).
template <class RowFn>
void for_channel_rows(int64_t c, const BatchNormSizes& s, RowFn row_fn) {
  for (int64_t n = 0; n < s.batch; ++n) row_fn((n * s.channels + c) * s.pixels);
}

// ---- batch norm, one channel range [c0, c1) per call, compiled per vector width ---------

SSLFLOW_SIMD_CLONES void statistics_channels(float* mean, float* var, const float* x, const BatchNormSizes& s,
                                             int64_t c0, int64_t c1) {
  const double count = static_cast<double>(s.batch * s.pixels);
  for (int64_t c = c0; c < c1; ++c) {
    const float m = static_cast<float>(
        sum_channel_rows(x, c, s, [&](const float* row) { return sum(row, s.pixels); }) / count);
    const double squares =
        sum_channel_rows(x, c, s, [&](const float* row) { return centered_dot(row, m, row, m, s.pixels); });
    mean[c] = m;
    var[c] = static_cast<float>(squares / count);
  }
}

SSLFLOW_SIMD_CLONES void forward_channels(float* out, const float* x, const float* mean, const float* rstd,
                                          const float* weight, const float* bias, const BatchNormSizes& s, bool relu,
                                          int64_t c0, int64_t c1) {
  const float lowest = relu ? 0.0f : -std::numeric_limits<float>::infinity();
  for (int64_t c = c0; c < c1; ++c) {
    // out = max(x * scale + shift, lowest)
    const float scale = rstd[c] * (weight ? weight[c] : 1.0f);
    const float shift = (bias ? bias[c] : 0.0f) - mean[c] * scale;
    for_channel_rows(c, s, [&](int64_t offset) {
      for (int64_t i = offset; i < offset + s.pixels; ++i) out[i] = std::max(x[i] * scale + shift, lowest);
    });
  }
}

// The gradient reaching the normalised values of the row [offset, offset + n): dout itself,
// or, through the relu, dout where relu_out is positive, written to scratch (n).
inline const float* row_gradient(const float* dout, const float* relu_out, int64_t offset, int64_t n,
                                 float* scratch) {
  if (!relu_out) return dout + offset;
  for (int64_t i = 0; i < n; ++i) {
    const float g = dout[offset + i];
    scratch[i] = relu_out[offset + i] > 0.0f ? g : 0.0f;
  }
  return scratch;
}

SSLFLOW_SIMD_CLONES void backward_channels(float* dx, float* dweight, float* dbias, const float* dout, const float* x,
                                           const float* mean, const float* rstd, const float* weight,
                                           const float* relu_out, const BatchNormSizes& s, bool batch_stats,
                                           int64_t c0, int64_t c1) {
  const double count = static_cast<double>(s.batch * s.pixels);
  std::vector<float> scratch(relu_out ? static_cast<size_t>(s.pixels) : 0);  // (S)
  for (int64_t c = c0; c < c1; ++c) {
    const float m = mean[c];
    const float r = rstd[c];
    // sum dout and sum dout * (x - mean), in one pass over the channel
    double sum_dout = 0.0, sum_dout_x = 0.0;
    for_channel_rows(c, s, [&](int64_t offset) {
      const float* g = row_gradient(dout, relu_out, offset, s.pixels, scratch.data());
      const SumAndDot row = sum_and_centered_dot(g, x + offset, m, s.pixels);
      sum_dout += row.sum;
      sum_dout_x += row.dot;
    });
    const double sum_dout_xhat = sum_dout_x * r;  // xhat = (x - mean) * rstd
    if (dbias) dbias[c] += static_cast<float>(sum_dout);
    if (dweight) dweight[c] += static_cast<float>(sum_dout_xhat);
    if (!dx) continue;
    // dx = a * (dout - mean(dout) - xhat * mean(dout * xhat)), a = weight * rstd; as
    // dx = a * dout + k * x + k0 with per-channel constants.
    const float a = (weight ? weight[c] : 1.0f) * r;
    const float k = batch_stats ? static_cast<float>(-a * r * sum_dout_xhat / count) : 0.0f;
    const float k0 = batch_stats ? static_cast<float>(-a * sum_dout / count) - k * m : 0.0f;
    for_channel_rows(c, s, [&](int64_t offset) {
      const float* g = row_gradient(dout, relu_out, offset, s.pixels, scratch.data());
      float* dx_row = dx + offset;
      const float* x_row = x + offset;
      for (int64_t i = 0; i < s.pixels; ++i) dx_row[i] = a * g[i] + k * x_row[i] + k0;
    });
  }
}

}  // namespace

void batch_norm_statistics(float* mean, float* var, const float* x, const BatchNormSizes& s) {
  detail::parallel_for(s.channels, kChannelsPerTask,
                       [&](int64_t c0, int64_t c1) { statistics_channels(mean, var, x, s, c0, c1); });
}

void batch_norm_forward(float* out, const float* x, const float* mean, const float* rstd, const float* weight,
                        const float* bias, const BatchNormSizes& s, bool relu) {
  detail::parallel_for(s.channels, kChannelsPerTask, [&](int64_t c0, int64_t c1) {
    forward_channels(out, x, mean, rstd, weight, bias, s, relu, c0, c1);
  });
}

void batch_norm_backward(float* dx, float* dweight, float* dbias, const float* dout, const float* x,
                         const float* mean, const float* rstd, const float* weight, const float* relu_out,
                         const BatchNormSizes& s, bool batch_stats) {
  detail::parallel_for(s.channels, kChannelsPerTask, [&](int64_t c0, int64_t c1) {
    backward_channels(dx, dweight, dbias, dout, x, mean, rstd, weight, relu_out, s, batch_stats, c0, c1);
  });
}

void layer_norm_forward(float* out, float* mean, float* rstd, const float* x, const float* weight, const float* bias,
                        int64_t rows, int64_t dim, float eps) {
  detail::parallel_for(rows, kRowsPerChunk, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* x_r = x + r * dim;  // (D)
      float* out_r = out + r * dim;    // (D)
      const float m = sum(x_r, dim) / static_cast<float>(dim);
      const float var = centered_dot(x_r, m, x_r, m, dim) / static_cast<float>(dim);
      const float rs = 1.0f / std::sqrt(var + eps);
      mean[r] = m;
      rstd[r] = rs;
      for (int64_t d = 0; d < dim; ++d) {
        float y = (x_r[d] - m) * rs;
        if (weight) y *= weight[d];
        if (bias) y += bias[d];
        out_r[d] = y;
      }
    }
  });
}

void layer_norm_backward(float* dx, float* dweight, float* dbias, const float* dout, const float* x,
                         const float* mean, const float* rstd, const float* weight, int64_t rows, int64_t dim) {
  // One partial row per chunk holds [dweight (D) | dbias (D)].
  const int64_t bias_offset = dweight ? dim : 0;
  const int64_t width = bias_offset + (dbias ? dim : 0);
  std::vector<float> total(static_cast<size_t>(width), 0.0f);  // (width)
  parallel_partial_sums(rows, kRowsPerChunk, width, total.data(), [&](int64_t r0, int64_t r1, float* partial) {
    std::vector<float> dnorm(static_cast<size_t>(dim));  // (D) = dout * weight
    for (int64_t r = r0; r < r1; ++r) {
      const float* x_r = x + r * dim;        // (D)
      const float* dout_r = dout + r * dim;  // (D)
      const float m = mean[r];
      const float rs = rstd[r];
      if (dweight)
        for (int64_t d = 0; d < dim; ++d) partial[d] += dout_r[d] * (x_r[d] - m) * rs;
      if (dbias) add_inplace(partial + bias_offset, dout_r, dim);
      if (!dx) continue;
      for (int64_t d = 0; d < dim; ++d) dnorm[d] = weight ? dout_r[d] * weight[d] : dout_r[d];
      const float dnorm_mean = sum(dnorm.data(), dim) / static_cast<float>(dim);
      const float dnorm_xhat_mean = centered_dot(dnorm.data(), 0.0f, x_r, m, dim) * rs / static_cast<float>(dim);
      float* dx_r = dx + r * dim;  // (D)
      for (int64_t d = 0; d < dim; ++d)
        dx_r[d] += (dnorm[d] - dnorm_mean - (x_r[d] - m) * rs * dnorm_xhat_mean) * rs;
    }
  });
  if (dweight) add_inplace(dweight, total.data(), dim);
  if (dbias) add_inplace(dbias, total.data() + bias_offset, dim);
}

}  // namespace sslflow::kernels
