#include "kernels/softmax_kernels.hpp"

#include <algorithm>
#include <vector>

#include "parallel.hpp"

namespace sslflow::kernels {

namespace {

// Elements one parallel task should cover at least, so that task overhead stays small.
constexpr int64_t kGrainElements = int64_t{1} << 14;

int64_t grain_for(int64_t slab) { return std::max<int64_t>(1, kGrainElements / std::max<int64_t>(1, slab)); }

// Runs body(offset, lanes) for every (size, inner) slab of an (outer, size, inner) tensor
// in parallel; `lanes` is a zeroed scratch of 2 * inner floats owned by the calling task.
template <typename F>
void for_each_slab(int64_t outer, int64_t size, int64_t inner, F&& body) {
  detail::parallel_for(outer, grain_for(size * inner), [&](int64_t o0, int64_t o1) {
    std::vector<float> lanes(inner > 1 ? 2 * inner : 0);
    for (int64_t o = o0; o < o1; ++o) {
      std::fill(lanes.begin(), lanes.end(), 0.0f);
      body(o * size * inner, lanes.data());
    }
  });
}

// Softmax (or log-softmax) of a slab x (size, inner) along its first axis, inner > 1:
// each of the inner lanes is one softmax, and the loops run across lanes.
// y, x (size, inner); max, sum (inner) scratch.
template <bool kLog>
void softmax_lanes(float* y, const float* x, int64_t size, int64_t inner, float* max, float* sum) {
  std::copy(x, x + inner, max);
  for (int64_t k = 1; k < size; ++k)
    for (int64_t l = 0; l < inner; ++l) max[l] = std::max(max[l], x[k * inner + l]);
  for (int64_t k = 0; k < size; ++k)
    for (int64_t l = 0; l < inner; ++l) {
      y[k * inner + l] = fast_exp(x[k * inner + l] - max[l]);
      sum[l] += y[k * inner + l];
    }
  if constexpr (kLog) {
    for (int64_t l = 0; l < inner; ++l) max[l] += std::log(sum[l]);  // max now holds log-sum-exp
    for (int64_t k = 0; k < size; ++k)
      for (int64_t l = 0; l < inner; ++l) y[k * inner + l] = x[k * inner + l] - max[l];
  } else {
    for (int64_t l = 0; l < inner; ++l) sum[l] = 1.0f / sum[l];
    for (int64_t k = 0; k < size; ++k)
      for (int64_t l = 0; l < inner; ++l) y[k * inner + l] *= sum[l];
  }
}

}  // namespace

void softmax_forward(float* out, const float* x, int64_t outer, int64_t size, int64_t inner) {
  if (size == 0) return;
  for_each_slab(outer, size, inner, [&](int64_t off, float* lanes) {
    if (inner == 1)
      softmax_row(out + off, x + off, size);
    else
      softmax_lanes<false>(out + off, x + off, size, inner, lanes, lanes + inner);
  });
}

void log_softmax_forward(float* out, const float* x, int64_t outer, int64_t size, int64_t inner) {
  if (size == 0) return;
  for_each_slab(outer, size, inner, [&](int64_t off, float* lanes) {
    if (inner == 1) {
      const float lse = log_sum_exp_row(x + off, out + off, size);
      for (int64_t i = 0; i < size; ++i) out[off + i] = x[off + i] - lse;
    } else {
      softmax_lanes<true>(out + off, x + off, size, inner, lanes, lanes + inner);
    }
  });
}

void softmax_backward(float* dx, const float* dout, const float* y, int64_t outer, int64_t size, int64_t inner) {
  for_each_slab(outer, size, inner, [&](int64_t off, float* lanes) {
    float* g = dx + off;
    const float* d = dout + off;
    const float* p = y + off;
    if (inner == 1) {
      const float dot = row_dot(d, p, size);
      for (int64_t i = 0; i < size; ++i) g[i] += p[i] * (d[i] - dot);
      return;
    }
    float* dot = lanes;  // (inner)
    for (int64_t k = 0; k < size; ++k)
      for (int64_t l = 0; l < inner; ++l) dot[l] += d[k * inner + l] * p[k * inner + l];
    for (int64_t k = 0; k < size; ++k)
      for (int64_t l = 0; l < inner; ++l) g[k * inner + l] += p[k * inner + l] * (d[k * inner + l] - dot[l]);
  });
}

void log_softmax_backward(float* dx, const float* dout, const float* y, int64_t outer, int64_t size,
                          int64_t inner) {
  for_each_slab(outer, size, inner, [&](int64_t off, float* lanes) {
    float* g = dx + off;
    const float* d = dout + off;
    const float* logp = y + off;
    if (inner == 1) {
      const float total = row_sum(d, size);
      for (int64_t i = 0; i < size; ++i) g[i] += d[i] - fast_exp(logp[i]) * total;
      return;
    }
    float* total = lanes;  // (inner)
    for (int64_t k = 0; k < size; ++k)
      for (int64_t l = 0; l < inner; ++l) total[l] += d[k * inner + l];
    for (int64_t k = 0; k < size; ++k)
      for (int64_t l = 0; l < inner; ++l) g[k * inner + l] += d[k * inner + l] - fast_exp(logp[k * inner + l]) * total[l];
  });
}

void cross_entropy_forward(float* losses, float* lse, const float* logits, const int64_t* labels, int64_t n,
                           int64_t classes) {
  detail::parallel_for(n, grain_for(classes), [&](int64_t i0, int64_t i1) {
    std::vector<float> work(classes);  // (classes)
    for (int64_t i = i0; i < i1; ++i) {
      const float* row = logits + i * classes;
      lse[i] = log_sum_exp_row(row, work.data(), classes);
      losses[i] = lse[i] - row[labels[i]];
    }
  });
}

void cross_entropy_backward(float* dlogits, const float* weights, const float* logits, const float* lse,
                            const int64_t* labels, int64_t n, int64_t classes) {
  detail::parallel_for(n, grain_for(classes), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      float* g = dlogits + i * classes;
      const float* row = logits + i * classes;
      const float w = weights[i];
      const float shift = lse[i];
      for (int64_t j = 0; j < classes; ++j) g[j] += w * fast_exp(row[j] - shift);
      g[labels[i]] -= w;
    }
  });
}

}  // namespace sslflow::kernels
