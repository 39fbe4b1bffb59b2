// The column buffers of a convolution: unfolding a sample into its receptive fields
// (im2col) and folding column gradients back onto the input (col2im).
//
// Unfolding goes through a zero-padded copy of the sample, so that a row of the column
// buffer is Ho runs of Wo reads at a fixed stride, with no bounds checks. Where the stride
// (1 or 2) and the output width (28, 14 or 7: 28-pixel inputs at strides 1, 2 and 4) are
// among the common ones, both are compile-time constants in that loop, which the compiler
// then unrolls and vectorises; other sizes take the same loop with run-time values.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/conv_kernels.hpp"

namespace sslflow::kernels {

class Unfolder {
 public:
  explicit Unfolder(const Conv2dSizes& s);

  // col (C*kh*kw, Ho*Wo), rows ld floats apart (ld >= Ho*Wo, so that samples can sit side
  // by side) = the receptive fields of sample x (C, H, W), zeros in the padding.
  void unfold(float* col, int64_t ld, const float* x);

 private:
  template <class Stride, class Width>
  void copy_fields(float* col, int64_t ld, Stride stride, Width width) const;

  Conv2dSizes s_;
  int64_t padded_h_, padded_w_;
  std::vector<float> padded_;  // (C, H + 2p, W + 2p); the border stays zero
};

// dx (C, H, W) += col (C*kh*kw, Ho*Wo), rows ld floats apart, folded back onto the input
// positions unfolding reads them from.
void fold_add(float* dx, const float* col, int64_t ld, const Conv2dSizes& s);

}  // namespace sslflow::kernels
