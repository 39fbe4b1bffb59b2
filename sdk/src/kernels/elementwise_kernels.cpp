#include "kernels/elementwise_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "kernels/simd_clones.hpp"
#include "parallel.hpp"

namespace sslflow::kernels {

namespace {

constexpr int64_t kGrain = int64_t{1} << 15;  // elements worth one task

// ---- broadcast iteration ----------------------------------------------------------------

// Calls run(o, ia, ib, len) for each stretch of the output range [begin, end) that lies in
// one innermost row; o, ia and ib are the offsets of its first element in out, a and b.
template <class Run>
void for_each_run(const BroadcastLayout& l, int64_t begin, int64_t end, Run run) {
  const int last = l.rank - 1;
  int64_t index[Shape::kMaxDims] = {};
  for (int64_t rest = begin, d = last; d >= 0; --d) {
    index[d] = rest % l.size[d];
    rest /= l.size[d];
  }
  for (int64_t o = begin; o < end;) {
    int64_t ia = 0, ib = 0;
    for (int d = 0; d <= last; ++d) {
      ia += index[d] * l.a_stride[d];
      ib += index[d] * l.b_stride[d];
    }
    const int64_t len = std::min(l.size[last] - index[last], end - o);
    run(o, ia, ib, len);
    o += len;
    index[last] += len;
    for (int d = last; d > 0 && index[d] == l.size[d]; --d) {
      index[d] = 0;
      ++index[d - 1];
    }
  }
}

using One = std::integral_constant<int64_t, 1>;
using Zero = std::integral_constant<int64_t, 0>;

// Calls f(sa, sb) with the innermost strides of a and b as compile-time constants, so the
// inner loops vectorise.
template <class F>
void with_inner_strides(const BroadcastLayout& l, F f) {
  const bool a = l.a_stride[l.rank - 1] != 0;
  const bool b = l.b_stride[l.rank - 1] != 0;
  if (a && b)
    f(One{}, One{});
  else if (a)
    f(One{}, Zero{});
  else if (b)
    f(Zero{}, One{});
  else
    f(Zero{}, Zero{});
}

template <class Op>
void binary_forward(float* out, const float* a, const float* b, const BroadcastLayout& l, Op op) {
  with_inner_strides(l, [&](auto sa, auto sb) {
    detail::parallel_for(l.numel(), kGrain, [&](int64_t begin, int64_t end) {
      for_each_run(l, begin, end, [&](int64_t o, int64_t ia, int64_t ib, int64_t len) {
        float* y = out + o;         // (len)
        const float* x = a + ia;    // (len) or (1)
        const float* z = b + ib;    // (len) or (1)
        for (int64_t i = 0; i < len; ++i) y[i] = op(x[i * sa], z[i * sb]);
      });
    });
  });
}

// Calls run(o, ia, ib, len) over the whole output for a backward pass into operand a
// (kIntoA) or b, in parallel where that is race-free: distinct indices along the
// outermost merged dimension write disjoint parts of the gradient unless the operand is
// broadcast along it.
template <bool kIntoA, class Run>
void backward_runs(const BroadcastLayout& l, Run run) {
  const int64_t outer_stride = kIntoA ? l.a_stride[0] : l.b_stride[0];
  const int64_t n = l.numel();
  if (n == 0) return;
  if (outer_stride == 0) {
    for_each_run(l, 0, n, run);
    return;
  }
  const int64_t block = n / l.size[0];
  detail::parallel_for(l.size[0], std::max<int64_t>(1, kGrain / std::max<int64_t>(block, 1)),
                       [&](int64_t r0, int64_t r1) { for_each_run(l, r0 * block, r1 * block, run); });
}

// dx (a's or b's shape) += scale * dout (l), summed over broadcast positions.
template <bool kIntoA>
void sum_to_operand(float* dx, float scale, const float* dout, const BroadcastLayout& l) {
  if (!dx) return;
  with_inner_strides(l, [&](auto sa, auto sb) {
    constexpr bool kSpread = (kIntoA ? decltype(sa)::value : decltype(sb)::value) != 0;
    backward_runs<kIntoA>(l, [&](int64_t o, int64_t ia, int64_t ib, int64_t len) {
      const float* g = dout + o;       // (len)
      float* d = dx + (kIntoA ? ia : ib);  // (len) or (1)
      if constexpr (kSpread) {
        for (int64_t i = 0; i < len; ++i) d[i] += scale * g[i];
      } else {
        float acc = 0.0f;
        for (int64_t i = 0; i < len; ++i) acc += g[i];
        d[0] += scale * acc;
      }
    });
  });
}

// dx (a's or b's shape) += grad(dout, a, b) (l), summed over broadcast positions.
template <bool kIntoA, class Grad>
void binary_backward(float* dx, const float* dout, const float* a, const float* b, const BroadcastLayout& l,
                     Grad grad) {
  if (!dx) return;
  with_inner_strides(l, [&](auto sa, auto sb) {
    constexpr bool kSpread = (kIntoA ? decltype(sa)::value : decltype(sb)::value) != 0;
    backward_runs<kIntoA>(l, [&](int64_t o, int64_t ia, int64_t ib, int64_t len) {
      const float* g = dout + o;       // (len)
      const float* x = a + ia;         // (len) or (1)
      const float* z = b + ib;         // (len) or (1)
      float* d = dx + (kIntoA ? ia : ib);  // (len) or (1)
      if constexpr (kSpread) {
        for (int64_t i = 0; i < len; ++i) d[i] += grad(g[i], x[i * sa], z[i * sb]);
      } else {
        float acc = 0.0f;
        for (int64_t i = 0; i < len; ++i) acc += grad(g[i], x[i * sa], z[i * sb]);
        d[0] += acc;
      }
    });
  });
}

// y (n) = f(x), in parallel chunks. The pointers and f are copied into locals of each
// chunk so that stores through y cannot alias them and the loop vectorises.
template <class F>
void map_elements(float* y, const float* x, int64_t n, F f) {
  detail::parallel_for(n, kGrain, [=](int64_t begin, int64_t end) {
    float* out = y;
    const float* in = x;
    const F fn = f;
    for (int64_t i = begin; i < end; ++i) out[i] = fn(in[i]);
  });
}

// dx (n) += f(dy, saved) where saved is the op's input or output, in parallel chunks.
template <class F>
void accumulate_elements(float* dx, const float* dy, const float* saved, int64_t n, F f) {
  detail::parallel_for(n, kGrain, [=](int64_t begin, int64_t end) {
    float* d = dx;
    const float* g = dy;
    const float* v = saved;
    const F fn = f;
    for (int64_t i = begin; i < end; ++i) d[i] += fn(g[i], v[i]);
  });
}

constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

// erfc(z) for z >= 0 with a relative error below 2e-7 (Numerical Recipes' Chebyshev fit),
// accurate in the tail where 1 - erf(z) would cancel.
inline float erfc_nonnegative(float z) {
  const float t = 1.0f / (1.0f + 0.5f * z);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  return t * fast_exp(p - z * z);
}

// The standard normal CDF Phi(x) = 0.5 erfc(-x / sqrt 2): the half tail for negative x,
// 1 minus it otherwise, picked by arithmetic rather than a branch so that loops vectorise.
inline float normal_cdf(float x) {
  const float half_tail = 0.5f * erfc_nonnegative(std::abs(x) * kInvSqrt2);
  const float positive = static_cast<float>(x >= 0.0f);
  return half_tail + positive * (1.0f - 2.0f * half_tail);
}

// GELU's loops over [begin, end), compiled per vector width: erfc and exp are arithmetic
// only, so eight elements go through each instruction where AVX2 is present.
SSLFLOW_SIMD_CLONES void gelu_range(float* y, const float* x, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) y[i] = x[i] * normal_cdf(x[i]);
}

// dx += dy * d/dx x Phi(x) = dy * (Phi(x) + x phi(x))
SSLFLOW_SIMD_CLONES void gelu_backward_range(float* dx, const float* dy, const float* x, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    const float v = x[i];
    dx[i] += dy[i] * (normal_cdf(v) + v * kInvSqrt2Pi * fast_exp(-0.5f * v * v));
  }
}

}  // namespace

// ---- broadcast binary ops ---------------------------------------------------------------

int64_t BroadcastLayout::numel() const {
  int64_t n = 1;
  for (int d = 0; d < rank; ++d) n *= size[d];
  return n;
}

BroadcastLayout broadcast_layout(const Shape& a, const Shape& b, const Shape& out) {
  // Contiguous strides of a and b, aligned to out's trailing dimensions; 0 where broadcast.
  const int rank = out.rank();
  int64_t a_stride[Shape::kMaxDims] = {}, b_stride[Shape::kMaxDims] = {};
  int64_t sa = 1, sb = 1;
  for (int d = rank - 1; d >= 0; --d) {
    const int ad = d - rank + a.rank(), bd = d - rank + b.rank();
    const int64_t a_dim = ad >= 0 ? a[ad] : 1;
    const int64_t b_dim = bd >= 0 ? b[bd] : 1;
    a_stride[d] = a_dim == out[d] ? sa : 0;
    b_stride[d] = b_dim == out[d] ? sb : 0;
    sa *= a_dim;
    sb *= b_dim;
  }
  BroadcastLayout l;
  l.rank = 0;
  for (int d = 0; d < rank; ++d) {
    if (out[d] == 1) continue;
    const int m = l.rank - 1;
    if (l.rank > 0 && l.a_stride[m] == a_stride[d] * out[d] && l.b_stride[m] == b_stride[d] * out[d]) {
      l.size[m] *= out[d];
      l.a_stride[m] = a_stride[d];
      l.b_stride[m] = b_stride[d];
      continue;
    }
    l.size[l.rank] = out[d];
    l.a_stride[l.rank] = a_stride[d];
    l.b_stride[l.rank] = b_stride[d];
    ++l.rank;
  }
  if (l.rank == 0) {  // a single element
    l.rank = 1;
    l.size[0] = 1;
    l.a_stride[0] = l.b_stride[0] = 0;
  }
  return l;
}

void add_forward(float* out, const float* a, const float* b, const BroadcastLayout& l) {
  binary_forward(out, a, b, l, [](float x, float z) { return x + z; });
}

void sub_forward(float* out, const float* a, const float* b, const BroadcastLayout& l) {
  binary_forward(out, a, b, l, [](float x, float z) { return x - z; });
}

void mul_forward(float* out, const float* a, const float* b, const BroadcastLayout& l) {
  binary_forward(out, a, b, l, [](float x, float z) { return x * z; });
}

void div_forward(float* out, const float* a, const float* b, const BroadcastLayout& l) {
  binary_forward(out, a, b, l, [](float x, float z) { return x / z; });
}

void add_backward(float* da, float* db, const float* dout, const BroadcastLayout& l) {
  sum_to_operand<true>(da, 1.0f, dout, l);
  sum_to_operand<false>(db, 1.0f, dout, l);
}

void sub_backward(float* da, float* db, const float* dout, const BroadcastLayout& l) {
  sum_to_operand<true>(da, 1.0f, dout, l);
  sum_to_operand<false>(db, -1.0f, dout, l);
}

void mul_backward(float* da, float* db, const float* dout, const float* a, const float* b,
                  const BroadcastLayout& l) {
  binary_backward<true>(da, dout, a, b, l, [](float g, float, float z) { return g * z; });
  binary_backward<false>(db, dout, a, b, l, [](float g, float x, float) { return g * x; });
}

void div_backward(float* da, float* db, const float* dout, const float* a, const float* b,
                  const BroadcastLayout& l) {
  binary_backward<true>(da, dout, a, b, l, [](float g, float, float z) { return g / z; });
  binary_backward<false>(db, dout, a, b, l, [](float g, float x, float z) { return -g * x / (z * z); });
}

// ---- unary ops ------------------------------------------------------------------------------

void add_scalar_forward(float* y, const float* x, float s, int64_t n) {
  map_elements(y, x, n, [s](float v) { return v + s; });
}

void scale_forward(float* y, const float* x, float s, int64_t n) {
  map_elements(y, x, n, [s](float v) { return s * v; });
}

void scale_backward(float* dx, const float* dy, float s, int64_t n) {
  accumulate_elements(dx, dy, dy, n, [s](float g, float) { return s * g; });
}

void relu_forward(float* y, const float* x, int64_t n) {
  map_elements(y, x, n, [](float v) { return v > 0.0f ? v : 0.0f; });
}

void relu_backward(float* dx, const float* dy, const float* y, int64_t n) {
  accumulate_elements(dx, dy, y, n, [](float g, float v) { return v > 0.0f ? g : 0.0f; });
}

void gelu_forward(float* y, const float* x, int64_t n) {
  detail::parallel_for(n, kGrain, [=](int64_t begin, int64_t end) { gelu_range(y, x, begin, end); });
}

void gelu_backward(float* dx, const float* dy, const float* x, int64_t n) {
  detail::parallel_for(n, kGrain, [=](int64_t begin, int64_t end) { gelu_backward_range(dx, dy, x, begin, end); });
}

void exp_forward(float* y, const float* x, int64_t n) {
  map_elements(y, x, n, [](float v) { return fast_exp(v); });
}

void exp_backward(float* dx, const float* dy, const float* y, int64_t n) {
  accumulate_elements(dx, dy, y, n, [](float g, float v) { return g * v; });
}

void log_forward(float* y, const float* x, int64_t n) {
  map_elements(y, x, n, [](float v) { return std::log(v); });
}

void log_backward(float* dx, const float* dy, const float* x, int64_t n) {
  accumulate_elements(dx, dy, x, n, [](float g, float v) { return g / v; });
}

void sqrt_forward(float* y, const float* x, int64_t n) {
  map_elements(y, x, n, [](float v) { return std::sqrt(v); });
}

void sqrt_backward(float* dx, const float* dy, const float* y, int64_t n) {
  accumulate_elements(dx, dy, y, n, [](float g, float v) { return 0.5f * g / v; });
}

void square_forward(float* y, const float* x, int64_t n) {
  map_elements(y, x, n, [](float v) { return v * v; });
}

void square_backward(float* dx, const float* dy, const float* x, int64_t n) {
  accumulate_elements(dx, dy, x, n, [](float g, float v) { return 2.0f * v * g; });
}

}  // namespace sslflow::kernels
