#include "kernels/shape_kernels.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/elementwise_kernels.hpp"
#include "parallel.hpp"

namespace sslflow::kernels {

namespace {

// Elements one parallel task should move at least, so that task overhead stays small.
constexpr int64_t kGrainElements = int64_t{1} << 15;

int64_t grain_rows(int64_t row_elements) { return std::max<int64_t>(1, kGrainElements / std::max<int64_t>(1, row_elements)); }

// dst row r (stride dst_stride) = or += src row r (stride src_stride), `row` floats each.
// dst (rows, dst_stride), src (rows, src_stride).
template <bool kAccumulate>
void copy_rows(float* dst, int64_t dst_stride, const float* src, int64_t src_stride, int64_t rows, int64_t row) {
  detail::parallel_for(rows, grain_rows(row), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      if constexpr (kAccumulate)
        add_inplace(dst + r * dst_stride, src + r * src_stride, row);
      else
        std::memcpy(dst + r * dst_stride, src + r * src_stride, sizeof(float) * row);
    }
  });
}

// Calls f(out_offset, in_offset) for every element of the transposed tensor, where
// out_offset indexes the (contiguous) transposed layout and in_offset the original one.
template <typename F>
void for_each_transposed(const Dims4& dims, int a, int b, F&& f) {
  const Dims4 in_strides{dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1};
  Dims4 out_dims = dims;
  Dims4 strides = in_strides;  // input stride of each output axis
  std::swap(out_dims[a], out_dims[b]);
  std::swap(strides[a], strides[b]);
  const int64_t plane = out_dims[2] * out_dims[3];
  detail::parallel_for(out_dims[0] * out_dims[1], grain_rows(plane), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t in_base = (r / out_dims[1]) * strides[0] + (r % out_dims[1]) * strides[1];
      const int64_t out_base = r * plane;
      for (int64_t i2 = 0; i2 < out_dims[2]; ++i2)
        for (int64_t i3 = 0; i3 < out_dims[3]; ++i3)
          f(out_base + i2 * out_dims[3] + i3, in_base + i2 * strides[2] + i3 * strides[3]);
    }
  });
}

}  // namespace

AxisView view_around(const Shape& shape, int axis) {
  AxisView v;
  for (int i = 0; i < axis; ++i) v.outer *= shape[i];
  v.size = shape[axis];
  for (int i = axis + 1; i < shape.rank(); ++i) v.inner *= shape[i];
  return v;
}

Shape with_extent(const Shape& shape, int axis, int64_t extent) {
  std::vector<int64_t> dims = shape.to_vector();
  dims[axis] = extent;
  return Shape(dims);
}

Dims4 pad_to_4d(const Shape& shape) {
  Dims4 dims{1, 1, 1, 1};
  std::copy(shape.begin(), shape.end(), dims.end() - shape.rank());
  return dims;
}

void transpose_forward(float* out, const float* x, const Dims4& dims, int a, int b) {
  for_each_transposed(dims, a, b, [=](int64_t o, int64_t i) { out[o] = x[i]; });
}

void transpose_backward(float* dx, const float* dout, const Dims4& dims, int a, int b) {
  for_each_transposed(dims, a, b, [=](int64_t o, int64_t i) { dx[i] += dout[o]; });
}

void slice_forward(float* out, const float* x, int64_t outer, int64_t size, int64_t start, int64_t len,
                   int64_t inner) {
  copy_rows<false>(out, len * inner, x + start * inner, size * inner, outer, len * inner);
}

void slice_backward(float* dx, const float* dout, int64_t outer, int64_t size, int64_t start, int64_t len,
                    int64_t inner) {
  copy_rows<true>(dx + start * inner, size * inner, dout, len * inner, outer, len * inner);
}

void concat_forward(float* out, const float* x, int64_t outer, int64_t size, int64_t start, int64_t len,
                    int64_t inner) {
  copy_rows<false>(out + start * inner, size * inner, x, len * inner, outer, len * inner);
}

void concat_backward(float* dx, const float* dout, int64_t outer, int64_t size, int64_t start, int64_t len,
                     int64_t inner) {
  copy_rows<true>(dx, len * inner, dout + start * inner, size * inner, outer, len * inner);
}

void index_select_forward(float* out, const float* x, const int64_t* index, int64_t count, int64_t outer,
                          int64_t size, int64_t inner) {
  // Each output row (o, j) is independent, so the loop runs over all of them.
  detail::parallel_for(outer * count, grain_rows(inner), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t o = r / count;
      std::memcpy(out + r * inner, x + (o * size + index[r % count]) * inner, sizeof(float) * inner);
    }
  });
}

void index_select_backward(float* dx, const float* dout, const int64_t* index, int64_t count, int64_t outer,
                           int64_t size, int64_t inner) {
  // Repeated indices write the same row of dx, so one task owns each outer slice.
  detail::parallel_for(outer, grain_rows(count * inner), [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o)
      for (int64_t j = 0; j < count; ++j)
        add_inplace(dx + (o * size + index[j]) * inner, dout + (o * count + j) * inner, inner);
  });
}

}  // namespace sslflow::kernels
