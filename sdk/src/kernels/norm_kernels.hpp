// Normalisation kernels: batch norm over (N, C, S) (S = H*W, or 1 for (N, C) inputs) and
// layer norm over the last dimension of (R, D).
//
// Statistics are computed in two passes (mean, then squared deviations) for accuracy.
// Backward uses the closed forms with the cached mean and rstd = 1/sqrt(var + eps)
// (llm.c's layernorm_backward) and accumulates (+=), except batch norm's dx, which it
// writes. A null weight or bias means the affine step is absent; a null gradient buffer
// is skipped. Batch norm runs in parallel over channels; layer norm over rows, with the
// weight and bias gradients summed per fixed chunk of rows, so results do not depend on
// the thread count.
#pragma once

#include <cstdint>

namespace sslflow::kernels {

struct BatchNormSizes {
  int64_t batch, channels, pixels;  // x is (N, C, S)
};

// mean (C), var (C) = per-channel mean and biased variance of x (N, C, S)
void batch_norm_statistics(float* mean, float* var, const float* x, const BatchNormSizes& s);
// out (N, C, S) = (x - mean) * rstd * weight + bias; mean, rstd, weight, bias (C). With
// relu, out = max(that, 0).
void batch_norm_forward(float* out, const float* x, const float* mean, const float* rstd, const float* weight,
                        const float* bias, const BatchNormSizes& s, bool relu);
// dx (N, C, S) = and dweight (C), dbias (C) += the gradients given dout (N, C, S). With
// batch_stats, mean and rstd are functions of x (training); otherwise constants (running
// statistics). relu_out, when not null, is the forward's output with relu: dout counts
// only where it is positive.
void batch_norm_backward(float* dx, float* dweight, float* dbias, const float* dout, const float* x,
                         const float* mean, const float* rstd, const float* weight, const float* relu_out,
                         const BatchNormSizes& s, bool batch_stats);

// out (R, D) = (x - mean) * rstd * weight + bias per row; mean, rstd (R) are written
void layer_norm_forward(float* out, float* mean, float* rstd, const float* x, const float* weight, const float* bias,
                        int64_t rows, int64_t dim, float eps);
// dx (R, D), dweight (D), dbias (D) += gradients given dout (R, D)
void layer_norm_backward(float* dx, float* dweight, float* dbias, const float* dout, const float* x,
                         const float* mean, const float* rstd, const float* weight, int64_t rows, int64_t dim);

}  // namespace sslflow::kernels
