#include "kernels/softmax_kernels.hpp"

#include <algorithm>
#include <vector>

#include "kernels/simd_clones.hpp"
#include "parallel.hpp"

namespace sslflow::kernels {

namespace {

// Elements one parallel task should cover at least, so that task overhead stays small.
constexpr int64_t kGrainElements = int64_t{1} << 14;

int64_t grain_for(int64_t slab) { return std::max<int64_t>(1, kGrainElements / std::max<int64_t>(1, slab)); }

// Softmax (log_softmax when `log`) of slabs [o0, o1) of an (outer, size, inner) tensor.
// With inner > 1 each of the inner lanes is one softmax and the loops run across lanes.
// out, x (outer, size, inner).
SSLFLOW_SIMD_CLONES void softmax_slabs(float* out, const float* x, int64_t o0, int64_t o1, int64_t size,
                                       int64_t inner, bool log) {
  std::vector<float> max(inner > 1 ? inner : 0);  // (inner)
  std::vector<float> sum(max.size());            // (inner)
  for (int64_t o = o0; o < o1; ++o) {
    float* y = out + o * size * inner;
    const float* in = x + o * size * inner;
    if (inner == 1) {
      if (!log) {
        softmax_row(y, in, size);
        continue;
      }
      const float lse = log_sum_exp_row(in, y, size);
      for (int64_t i = 0; i < size; ++i) y[i] = in[i] - lse;
      continue;
    }
    std::copy(in, in + inner, max.begin());
    std::fill(sum.begin(), sum.end(), 0.0f);
    for (int64_t k = 1; k < size; ++k)
      for (int64_t l = 0; l < inner; ++l) max[l] = std::max(max[l], in[k * inner + l]);
    for (int64_t k = 0; k < size; ++k)
      for (int64_t l = 0; l < inner; ++l) {
        y[k * inner + l] = fast_exp(in[k * inner + l] - max[l]);
        sum[l] += y[k * inner + l];
      }
    if (log) {
      for (int64_t l = 0; l < inner; ++l) max[l] += std::log(sum[l]);  // max now holds log-sum-exp
      for (int64_t k = 0; k < size; ++k)
        for (int64_t l = 0; l < inner; ++l) y[k * inner + l] = in[k * inner + l] - max[l];
    } else {
      for (int64_t l = 0; l < inner; ++l) sum[l] = 1.0f / sum[l];
      for (int64_t k = 0; k < size; ++k)
        for (int64_t l = 0; l < inner; ++l) y[k * inner + l] *= sum[l];
    }
  }
}

// The backward of softmax_slabs over slabs [o0, o1), from its output y:
// softmax: dx += y * (dout - sum(dout * y)); log_softmax: dx += dout - exp(y) * sum(dout).
// dx, dout, y (outer, size, inner).
SSLFLOW_SIMD_CLONES void softmax_backward_slabs(float* dx, const float* dout, const float* y, int64_t o0, int64_t o1,
                                                int64_t size, int64_t inner, bool log) {
  std::vector<float> reduced(inner);  // (inner) sum(dout * y), or sum(dout) for log
  for (int64_t o = o0; o < o1; ++o) {
    const int64_t off = o * size * inner;
    float* g = dx + off;
    const float* d = dout + off;
    const float* p = y + off;
    if (inner == 1) {
      if (log) {
        const float total = row_sum(d, size);
        for (int64_t i = 0; i < size; ++i) g[i] += d[i] - fast_exp(p[i]) * total;
      } else {
        const float dot = row_dot(d, p, size);
        for (int64_t i = 0; i < size; ++i) g[i] += p[i] * (d[i] - dot);
      }
      continue;
    }
    std::fill(reduced.begin(), reduced.end(), 0.0f);
    for (int64_t k = 0; k < size; ++k)
      for (int64_t l = 0; l < inner; ++l) reduced[l] += log ? d[k * inner + l] : d[k * inner + l] * p[k * inner + l];
    for (int64_t k = 0; k < size; ++k)
      for (int64_t l = 0; l < inner; ++l) {
        const int64_t i = k * inner + l;
        g[i] += log ? d[i] - fast_exp(p[i]) * reduced[l] : p[i] * (d[i] - reduced[l]);
      }
  }
}

// Rows [i0, i1) of cross_entropy_forward; work (classes) scratch.
SSLFLOW_SIMD_CLONES void cross_entropy_rows(float* losses, float* lse, const float* logits, const int64_t* labels,
                                            int64_t i0, int64_t i1, int64_t classes) {
  std::vector<float> work(classes);  // (classes)
  for (int64_t i = i0; i < i1; ++i) {
    const float* row = logits + i * classes;
    lse[i] = log_sum_exp_row(row, work.data(), classes);
    losses[i] = lse[i] - row[labels[i]];
  }
}

// Rows [i0, i1) of cross_entropy_backward.
SSLFLOW_SIMD_CLONES void cross_entropy_backward_rows(float* dlogits, const float* weights, const float* logits,
                                                     const float* lse, const int64_t* labels, int64_t i0, int64_t i1,
                                                     int64_t classes) {
  for (int64_t i = i0; i < i1; ++i) {
    float* g = dlogits + i * classes;
    const float* row = logits + i * classes;
    const float w = weights[i];
    const float shift = lse[i];
    for (int64_t j = 0; j < classes; ++j) g[j] += w * fast_exp(row[j] - shift);
    g[labels[i]] -= w;
  }
}

}  // namespace

void softmax_forward(float* out, const float* x, int64_t outer, int64_t size, int64_t inner) {
  if (size == 0) return;
  detail::parallel_for(outer, grain_for(size * inner), [&](int64_t o0, int64_t o1) {
    softmax_slabs(out, x, o0, o1, size, inner, false);
  });
}

void log_softmax_forward(float* out, const float* x, int64_t outer, int64_t size, int64_t inner) {
  if (size == 0) return;
  detail::parallel_for(outer, grain_for(size * inner), [&](int64_t o0, int64_t o1) {
    softmax_slabs(out, x, o0, o1, size, inner, true);
  });
}

void softmax_backward(float* dx, const float* dout, const float* y, int64_t outer, int64_t size, int64_t inner) {
  detail::parallel_for(outer, grain_for(size * inner), [&](int64_t o0, int64_t o1) {
    softmax_backward_slabs(dx, dout, y, o0, o1, size, inner, false);
  });
}

void log_softmax_backward(float* dx, const float* dout, const float* y, int64_t outer, int64_t size,
                          int64_t inner) {
  detail::parallel_for(outer, grain_for(size * inner), [&](int64_t o0, int64_t o1) {
    softmax_backward_slabs(dx, dout, y, o0, o1, size, inner, true);
  });
}

void cross_entropy_forward(float* losses, float* lse, const float* logits, const int64_t* labels, int64_t n,
                           int64_t classes) {
  detail::parallel_for(n, grain_for(classes), [&](int64_t i0, int64_t i1) {
    cross_entropy_rows(losses, lse, logits, labels, i0, i1, classes);
  });
}

void cross_entropy_backward(float* dlogits, const float* weights, const float* logits, const float* lse,
                            const int64_t* labels, int64_t n, int64_t classes) {
  detail::parallel_for(n, grain_for(classes), [&](int64_t i0, int64_t i1) {
    cross_entropy_backward_rows(dlogits, weights, logits, lse, labels, i0, i1, classes);
  });
}

}  // namespace sslflow::kernels
