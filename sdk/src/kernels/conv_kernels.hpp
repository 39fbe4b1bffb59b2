// 2-D convolution kernels, NCHW, weight (O, C, kh, kw) as PyTorch: im2col (conv_unfold.hpp) + GEMM.
//
// Forward and backward run in parallel over the batch; each task unfolds a few samples
// side by side into its own column buffer (C*kh*kw, G*Ho*Wo), enough for one efficient
// GEMM (G = 1 for feature maps of 28x28 and up), so memory stays per task. The bias
// rides in the same products, as one more row of ones under the columns: forward adds it
// and backward sums its gradient without another pass over the output. The weight and
// bias gradients are summed per fixed chunk of samples and the chunks added in
// order, so results do not depend on the thread count. Backward accumulates (+=).
#pragma once

#include <cstdint>

namespace sslflow::kernels {

struct Conv2dSizes {
  int64_t batch, in_channels, height, width;
  int64_t out_channels, kernel_h, kernel_w;
  int64_t stride, padding;
  int64_t out_h, out_w;

  int64_t patch() const { return in_channels * kernel_h * kernel_w; }  // rows of a column buffer
  int64_t out_pixels() const { return out_h * out_w; }
};

// out (N, O, Ho, Wo) = conv(x (N, C, H, W), weight (O, C, kh, kw)) + bias (O); bias may be null.
void conv2d_forward(float* out, const float* x, const float* weight, const float* bias, const Conv2dSizes& s);

// dx (N, C, H, W), dweight (O, C, kh, kw), dbias (O) += the gradients given dout (N, O, Ho, Wo);
// a null gradient buffer is skipped. x is read only for dweight, weight only for dx.
void conv2d_backward(float* dx, float* dweight, float* dbias, const float* dout, const float* x, const float* weight,
                     const Conv2dSizes& s);

}  // namespace sslflow::kernels
