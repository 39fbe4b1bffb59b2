// Input checks shared by the encoders. Every error is a ShapeError that names the plugin,
// what it expected and what it got.
#pragma once

#include <cstdint>

#include "sslflow/autograd.hpp"

namespace sslflow::encoders {

// A sample [C, H, W] cut into non-overlapping P x P patches.
struct PatchGrid {
  int64_t channels;
  int64_t rows;  // H / P
  int64_t cols;  // W / P
  int64_t patch;

  int64_t tokens() const { return rows * cols; }
  int64_t values() const { return channels * patch * patch; }  // C * P * P per token
};

// Throws unless `sample` is an image [C, H, W].
void check_image_sample(const char* plugin, const Shape& sample);

// The patch grid of `sample`; throws unless it is [C, H, W] and P divides H and W.
PatchGrid patch_grid(const char* plugin, const Shape& sample, int64_t patch);

// Throws unless x is (B, sample...) with B >= 1.
void check_images(const char* plugin, const Var& x, const Shape& sample);
// For a fully convolutional encoder, which takes images of any size (multi-crop's local
// crops beside its global ones): x is (B, C, H, W) with the channels of `sample`, [C, H, W].
void check_image_channels(const char* plugin, const Var& x, const Shape& sample);

// Throws unless mask is (batch, tokens).
void check_mask(const char* plugin, const Tensor& mask, int64_t batch, int64_t tokens);

// The number K of tokens each sample of mask (B, T) leaves visible (flag 0); throws unless
// every sample leaves the same number, which a batch of shortened sequences needs.
int64_t visible_tokens(const char* plugin, const Tensor& mask);

}  // namespace sslflow::encoders
