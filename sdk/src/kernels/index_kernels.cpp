#include "kernels/index_kernels.hpp"

#include <algorithm>
#include <vector>

namespace sslflow::kernels {

namespace {

// Calls f(position in x, position in the index) for every entry of an (outer, count,
// inner) index into x (outer, size, inner), in row-major order of the index.
template <class F>
void for_each_indexed(const int64_t* index, const AxisView& x_view, int64_t count, F f) {
  for (int64_t o = 0; o < x_view.outer; ++o)
    for (int64_t j = 0; j < count; ++j)
      for (int64_t i = 0; i < x_view.inner; ++i) {
        const int64_t at = (o * count + j) * x_view.inner + i;
        f((o * x_view.size + index[at]) * x_view.inner + i, at);
      }
}

}  // namespace

void gather_forward(float* out, const float* x, const int64_t* index, const AxisView& x_view, int64_t count) {
  for_each_indexed(index, x_view, count, [&](int64_t from, int64_t at) { out[at] = x[from]; });
}

void gather_backward(float* dx, const float* dout, const int64_t* index, const AxisView& x_view, int64_t count) {
  for_each_indexed(index, x_view, count, [&](int64_t to, int64_t at) { dx[to] += dout[at]; });
}

void scatter_assign(float* out, const float* src, const int64_t* index, const AxisView& x_view, int64_t count) {
  for_each_indexed(index, x_view, count, [&](int64_t to, int64_t at) { out[to] = src[at]; });
}

void scatter_backward_input(float* dx, const float* dout, const int64_t* index, const AxisView& x_view,
                            int64_t count) {
  std::vector<bool> written(static_cast<size_t>(x_view.outer * x_view.size * x_view.inner), false);
  for_each_indexed(index, x_view, count, [&](int64_t to, int64_t) { written[static_cast<size_t>(to)] = true; });
  for (size_t k = 0; k < written.size(); ++k)
    if (!written[k]) dx[k] += dout[k];
}

void where_forward(float* out, const float* condition, const float* a, const float* b, int64_t n) {
  for (int64_t k = 0; k < n; ++k) out[k] = condition[k] != 0.0f ? a[k] : b[k];
}

void where_backward(float* da, float* db, const float* dout, const float* condition, int64_t n) {
  for (int64_t k = 0; k < n; ++k) {
    if (condition[k] != 0.0f) {
      if (da) da[k] += dout[k];
    } else if (db) {
      db[k] += dout[k];
    }
  }
}

void diagonal_forward(float* out, const float* x, int64_t rows, int64_t cols) {
  for (int64_t k = 0; k < std::min(rows, cols); ++k) out[k] = x[k * cols + k];
}

void diagonal_backward(float* dx, const float* dout, int64_t rows, int64_t cols) {
  for (int64_t k = 0; k < std::min(rows, cols); ++k) dx[k * cols + k] += dout[k];
}

void cumsum_forward(float* out, const float* x, const AxisView& view) {
  for (int64_t o = 0; o < view.outer; ++o)
    for (int64_t i = 0; i < view.inner; ++i) {
      double total = 0.0;
      for (int64_t j = 0; j < view.size; ++j) {
        const int64_t at = (o * view.size + j) * view.inner + i;
        total += x[at];
        out[at] = static_cast<float>(total);
      }
    }
}

void cumsum_backward(float* dx, const float* dout, const AxisView& view) {
  for (int64_t o = 0; o < view.outer; ++o)
    for (int64_t i = 0; i < view.inner; ++i) {
      double total = 0.0;
      for (int64_t j = view.size - 1; j >= 0; --j) {
        const int64_t at = (o * view.size + j) * view.inner + i;
        total += dout[at];
        dx[at] += static_cast<float>(total);
      }
    }
}

}  // namespace sslflow::kernels
