// Plain kernels for fused multi-head self-attention (PyTorch nn.MultiheadAttention with
// no mask and no dropout), the hot path of a vision transformer.
//
// Forward, for x (B*T, D) with H heads of size Dh = D / H:
//   qkv = x w_in^T + b_in                                   (gemm)
//   per (batch, head): probs = softmax(q k^T / sqrt(Dh))    (in parallel over B*H)
//                      ctx   = probs v
//   out = ctx w_out^T + b_out                               (gemm)
// The forward leaves qkv, probs and ctx in caller buffers; the backward reads them instead
// of recomputing. The backward accumulates (+=) into the gradients it is given and skips
// the null ones. Matrix products run through detail::gemm, the per-head loops through
// detail::parallel_for; each (batch, head) task writes disjoint columns, so no locks.
#pragma once

#include <cstdint>

namespace sslflow::kernels {

struct AttentionDims {
  int64_t batch = 0;   // B
  int64_t tokens = 0;  // T
  int64_t dim = 0;     // D
  int64_t heads = 0;   // H, divides D
};

// out (B*T, D); qkv (B*T, 3D), probs (B, H, T, T), ctx (B*T, D) written for the backward.
// x (B*T, D), w_in (3D, D), b_in (3D), w_out (D, D), b_out (D).
void attention_forward(float* out, float* qkv, float* probs, float* ctx, const float* x, const float* w_in,
                       const float* b_in, const float* w_out, const float* b_out, const AttentionDims& dims);

struct AttentionGrads {
  float* x = nullptr;      // (B*T, D)
  float* w_in = nullptr;   // (3D, D)
  float* b_in = nullptr;   // (3D)
  float* w_out = nullptr;  // (D, D)
  float* b_out = nullptr;  // (D)
};

// Accumulates into the non-null buffers of `grads`. dout (B*T, D); x, w_in, w_out, qkv,
// probs, ctx as in attention_forward.
void attention_backward(const AttentionGrads& grads, const float* dout, const float* x, const float* w_in,
                        const float* w_out, const float* qkv, const float* probs, const float* ctx,
                        const AttentionDims& dims);

}  // namespace sslflow::kernels
