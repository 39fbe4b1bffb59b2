// Regression-loss kernels on n paired elements of pred and target (same shape, flattened),
// with d = pred - target:
//   mse        d^2
//   smooth_l1  0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (beta = 0 is L1)
// *_forward writes the per-element losses, *_sum returns their sum (for Mean and Sum
// reductions). *_backward accumulates (+=) scale * dout * dloss/dd into dpred and its
// negation into dtarget, where dout is per element (dout_per_element) or one value for all;
// a null dpred or dtarget is skipped. Loops are split across TBB workers inside the kernels.
#pragma once

#include <cstdint>

namespace sslflow::kernels {

void mse_forward(float* out, const float* pred, const float* target, int64_t n);  // out (n)
double mse_sum(const float* pred, const float* target, int64_t n);
void mse_backward(float* dpred, float* dtarget, const float* dout, bool dout_per_element, float scale,
                  const float* pred, const float* target, int64_t n);

void smooth_l1_forward(float* out, const float* pred, const float* target, float beta, int64_t n);  // out (n)
double smooth_l1_sum(const float* pred, const float* target, float beta, int64_t n);
void smooth_l1_backward(float* dpred, float* dtarget, const float* dout, bool dout_per_element, float scale,
                        const float* pred, const float* target, float beta, int64_t n);

}  // namespace sslflow::kernels
