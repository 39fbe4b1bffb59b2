#include "kernels/reduce_kernels.hpp"

#include <cmath>
#include <type_traits>

namespace sslflow::kernels {

namespace {

constexpr int64_t kGrain = int64_t{1} << 14;  // elements worth one task
constexpr int64_t kColumns = 256;             // columns summed together when inner > 1

int64_t rows_per_task(int64_t row_length) { return std::max<int64_t>(1, kGrain / std::max<int64_t>(row_length, 1)); }

// Calls f(r, base, stride) for every vector along n of the (outer, n, inner) view, in
// parallel: r = o * inner + j indexes (outer, inner) buffers, element k of the vector is at
// base + k * stride. A stride of 1 is passed as a compile-time constant so loops vectorise.
template <class F>
void for_each_vector(int64_t outer, int64_t n, int64_t inner, F f) {
  detail::parallel_for(outer * inner, rows_per_task(n), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t base = (r / inner) * n * inner + r % inner;
      if (inner == 1)
        f(r, base, std::integral_constant<int64_t, 1>{});
      else
        f(r, base, inner);
    }
  });
}

template <class Stride>
float dot(const float* x, const float* y, int64_t n, Stride stride) {
  return static_cast<float>(lane_sum(0, n, [&](int64_t k) { return x[k * stride] * y[k * stride]; }));
}

}  // namespace

DimView dim_view(const Shape& shape, int axis) {
  DimView v;
  for (int d = 0; d < shape.rank(); ++d) {
    if (d < axis) v.outer *= shape[d];
    if (d > axis) v.inner *= shape[d];
  }
  v.n = shape[axis];
  return v;
}

Shape reduced_shape(const Shape& shape, int axis, bool keepdim) {
  std::vector<int64_t> dims = shape.to_vector();
  if (keepdim)
    dims[static_cast<size_t>(axis)] = 1;
  else
    dims.erase(dims.begin() + axis);
  return Shape(std::span<const int64_t>(dims));
}

float sum_all_forward(const float* x, int64_t n, float scale) {
  return static_cast<float>(scale * chunked_sum(n, [x](int64_t i) { return x[i]; }));
}

void sum_dim_accumulate(float* out, const float* x, int64_t outer, int64_t n, int64_t inner, float scale) {
  if (inner == 1) {
    detail::parallel_for(outer, rows_per_task(n), [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        const float* row = x + o * n;  // (n)
        out[o] += static_cast<float>(scale * lane_sum(0, n, [row](int64_t k) { return row[k]; }));
      }
    });
    return;
  }
  const int64_t blocks = (inner + kColumns - 1) / kColumns;
  detail::parallel_for(outer * blocks, rows_per_task(n * kColumns), [&](int64_t t0, int64_t t1) {
    float acc[kColumns];
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t o = t / blocks, j0 = (t % blocks) * kColumns;
      const int64_t width = std::min(kColumns, inner - j0);
      std::fill(acc, acc + width, 0.0f);
      for (int64_t k = 0; k < n; ++k) {
        const float* row = x + (o * n + k) * inner + j0;  // (width)
        for (int64_t j = 0; j < width; ++j) acc[j] += row[j];
      }
      float* dst = out + o * inner + j0;  // (width)
      for (int64_t j = 0; j < width; ++j) dst[j] += scale * acc[j];
    }
  });
}

void sum_dim_backward(float* dx, const float* dout, int64_t outer, int64_t n, int64_t inner, float scale) {
  if (inner == 1) {
    detail::parallel_for(outer, rows_per_task(n), [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        const float g = scale * dout[o];
        float* row = dx + o * n;  // (n)
        for (int64_t k = 0; k < n; ++k) row[k] += g;
      }
    });
    return;
  }
  detail::parallel_for(outer * n, rows_per_task(inner), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* g = dout + (r / n) * inner;  // (inner)
      float* row = dx + r * inner;              // (inner)
      for (int64_t j = 0; j < inner; ++j) row[j] += scale * g[j];
    }
  });
}

void l2_normalize_forward(float* y, float* d, const float* x, int64_t outer, int64_t n, int64_t inner, float eps) {
  for_each_vector(outer, n, inner, [&](int64_t r, int64_t base, auto stride) {
    const float* xv = x + base;  // (n) at stride
    float* yv = y + base;        // (n) at stride
    const float norm = std::sqrt(dot(xv, xv, n, stride));
    const float dr = std::max(norm, eps);
    d[r] = dr;
    for (int64_t k = 0; k < n; ++k) yv[k * stride] = xv[k * stride] / dr;
  });
}

void l2_normalize_backward(float* dx, const float* dy, const float* y, const float* d, int64_t outer, int64_t n,
                           int64_t inner, float eps) {
  for_each_vector(outer, n, inner, [&](int64_t r, int64_t base, auto stride) {
    const float* gv = dy + base;  // (n) at stride
    const float* yv = y + base;   // (n) at stride
    float* dxv = dx + base;       // (n) at stride
    const float inv = 1.0f / d[r];
    const float proj = d[r] > eps ? dot(gv, yv, n, stride) : 0.0f;
    for (int64_t k = 0; k < n; ++k) dxv[k * stride] += (gv[k * stride] - yv[k * stride] * proj) * inv;
  });
}

void cosine_similarity_forward(float* out, float* da, float* db, const float* a, const float* b, int64_t outer,
                               int64_t n, int64_t inner, float eps) {
  for_each_vector(outer, n, inner, [&](int64_t r, int64_t base, auto stride) {
    const float* av = a + base;  // (n) at stride
    const float* bv = b + base;  // (n) at stride
    const double aa = dot(av, av, n, stride), bb = dot(bv, bv, n, stride);
    da[r] = std::max(static_cast<float>(std::sqrt(aa)), eps);
    db[r] = std::max(static_cast<float>(std::sqrt(bb)), eps);
    // sqrt(aa * bb) in double is exact for a == b (the square of a float is exact in a
    // double), so a vector's cosine with itself is exactly 1.
    const bool clamped = da[r] == eps || db[r] == eps;
    const double norms = clamped ? double(da[r]) * double(db[r]) : std::sqrt(aa * bb);
    out[r] = static_cast<float>(dot(av, bv, n, stride) / norms);
  });
}

void cosine_similarity_backward(float* grad_a, float* grad_b, const float* dout, const float* out, const float* a,
                                const float* b, const float* da, const float* db, int64_t outer, int64_t n,
                                int64_t inner) {
  for_each_vector(outer, n, inner, [&](int64_t r, int64_t base, auto stride) {
    const float* av = a + base;  // (n) at stride
    const float* bv = b + base;  // (n) at stride
    const float inv_a = 1.0f / da[r], inv_b = 1.0f / db[r];
    const float g = dout[r], s = out[r];
    if (grad_a) {
      float* gav = grad_a + base;  // (n) at stride
      for (int64_t k = 0; k < n; ++k)
        gav[k * stride] += g * inv_a * (bv[k * stride] * inv_b - s * av[k * stride] * inv_a);
    }
    if (grad_b) {
      float* gbv = grad_b + base;  // (n) at stride
      for (int64_t k = 0; k < n; ++k)
        gbv[k * stride] += g * inv_b * (av[k * stride] * inv_a - s * bv[k * stride] * inv_b);
    }
  });
}

}  // namespace sslflow::kernels
