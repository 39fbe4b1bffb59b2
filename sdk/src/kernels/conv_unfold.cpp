#include "kernels/conv_unfold.hpp"

#include <algorithm>
#include <type_traits>

namespace sslflow::kernels {

namespace {

template <int64_t N>
using Constant = std::integral_constant<int64_t, N>;

// Calls body(stride) with the stride as a compile-time constant when it is 1 or 2, and as
// s.stride otherwise.
template <class Body>
void with_stride(const Conv2dSizes& s, Body&& body) {
  switch (s.stride) {
    case 1:
      return body(Constant<1>{});
    case 2:
      return body(Constant<2>{});
    default:
      return body(s.stride);
  }
}

// The same for the output width: 28, 14 and 7 as constants, s.out_w otherwise.
template <class Body>
void with_width(const Conv2dSizes& s, Body&& body) {
  switch (s.out_w) {
    case 28:
      return body(Constant<28>{});
    case 14:
      return body(Constant<14>{});
    case 7:
      return body(Constant<7>{});
    default:
      return body(s.out_w);
  }
}

// The outputs [first, last) whose input position out*stride - padding + offset lies in [0, size).
struct ValidRange {
  int64_t first, last;
};

ValidRange valid_outputs(int64_t offset, int64_t stride, int64_t padding, int64_t size, int64_t out_size) {
  const int64_t shift = padding - offset;  // input = out * stride - shift
  const int64_t first = shift > 0 ? (shift + stride - 1) / stride : 0;
  const int64_t last = size + shift > 0 ? (size - 1 + shift) / stride + 1 : 0;
  return {std::min(first, out_size), std::clamp(last, std::min(first, out_size), out_size)};
}

// fold_add with stride s.stride as a compile-time constant where possible (see with_stride).
void fold_add_strided(float* dx, const float* col, int64_t ld, const Conv2dSizes& s, auto stride) {
  for (int64_t c = 0; c < s.in_channels; ++c) {
    float* plane = dx + c * s.height * s.width;  // (H, W)
    for (int64_t ki = 0; ki < s.kernel_h; ++ki) {
      for (int64_t kj = 0; kj < s.kernel_w; ++kj) {
        const float* row = col + ((c * s.kernel_h + ki) * s.kernel_w + kj) * ld;  // (Ho, Wo)
        const ValidRange cols = valid_outputs(kj, stride, s.padding, s.width, s.out_w);
        for (int64_t oh = 0; oh < s.out_h; ++oh) {
          const int64_t ih = oh * stride - s.padding + ki;
          if (ih < 0 || ih >= s.height) continue;
          const float* src = row + oh * s.out_w;                 // (Wo)
          float* dst = plane + ih * s.width - s.padding + kj;  // dst[ow * stride] is input column
          for (int64_t ow = cols.first; ow < cols.last; ++ow) dst[ow * stride] += src[ow];
        }
      }
    }
  }
}

}  // namespace

Unfolder::Unfolder(const Conv2dSizes& s)
    : s_(s),
      padded_h_(s.height + 2 * s.padding),
      padded_w_(s.width + 2 * s.padding),
      padded_(static_cast<size_t>(s.in_channels * padded_h_ * padded_w_), 0.0f) {}

void Unfolder::unfold(float* col, int64_t ld, const float* x) {
  for (int64_t c = 0; c < s_.in_channels; ++c)
    for (int64_t ih = 0; ih < s_.height; ++ih)
      std::copy_n(x + (c * s_.height + ih) * s_.width, s_.width,
                  padded_.data() + (c * padded_h_ + ih + s_.padding) * padded_w_ + s_.padding);
  with_stride(s_, [&](auto stride) { with_width(s_, [&](auto width) { copy_fields(col, ld, stride, width); }); });
}

template <class Stride, class Width>
void Unfolder::copy_fields(float* col, int64_t ld, Stride stride, Width width) const {
  for (int64_t c = 0; c < s_.in_channels; ++c) {
    const float* plane = padded_.data() + c * padded_h_ * padded_w_;  // (H + 2p, W + 2p)
    for (int64_t ki = 0; ki < s_.kernel_h; ++ki)
      for (int64_t kj = 0; kj < s_.kernel_w; ++kj) {
        float* row = col + ((c * s_.kernel_h + ki) * s_.kernel_w + kj) * ld;  // (Ho, Wo)
        for (int64_t oh = 0; oh < s_.out_h; ++oh) {
          const float* src = plane + (oh * stride + ki) * padded_w_ + kj;  // src[ow * stride]
          float* dst = row + oh * width;
          for (int64_t ow = 0; ow < width; ++ow) dst[ow] = src[ow * stride];
        }
      }
  }
}

void fold_add(float* dx, const float* col, int64_t ld, const Conv2dSizes& s) {
  with_stride(s, [&](auto stride) { fold_add_strided(dx, col, ld, s, stride); });
}

}  // namespace sslflow::kernels
