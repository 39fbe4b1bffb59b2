// 2-D pooling kernels over planes: x (N, C, H, W) is N*C independent (H, W) planes.
//
// Windows follow PyTorch with ceil_mode off: out = (H + 2*padding - kernel) / stride + 1.
// Average pooling divides by kernel*kernel, counting padded positions (count_include_pad).
// Max pooling ignores padded positions and keeps the first maximum of each window; its
// backward routes the gradient through the recorded argmax. Parallel over planes;
// backward accumulates (+=).
#pragma once

#include <cstdint>

namespace sslflow::kernels {

struct Pool2dSizes {
  int64_t planes, height, width;  // planes = N * C
  int64_t kernel, stride, padding;
  int64_t out_h, out_w;
};

// out (N*C, Ho, Wo) = window means of x (N*C, H, W)
void avg_pool2d_forward(float* out, const float* x, const Pool2dSizes& s);
// dx (N*C, H, W) += dout (N*C, Ho, Wo) spread evenly over each window
void avg_pool2d_backward(float* dx, const float* dout, const Pool2dSizes& s);

// out (N*C, Ho, Wo) = window maxima of x (N*C, H, W); argmax (N*C, Ho, Wo) = index in the plane
void max_pool2d_forward(float* out, int32_t* argmax, const float* x, const Pool2dSizes& s);
// dx (N*C, H, W) += dout (N*C, Ho, Wo) at argmax
void max_pool2d_backward(float* dx, const float* dout, const int32_t* argmax, const Pool2dSizes& s);

// out (N*C) = means of x (N*C, H*W)
void global_avg_pool2d_forward(float* out, const float* x, int64_t planes, int64_t pixels);
// dx (N*C, H*W) += dout (N*C) / (H*W)
void global_avg_pool2d_backward(float* dx, const float* dout, int64_t planes, int64_t pixels);

}  // namespace sslflow::kernels
