// Transform: a per-sample data transform (plugin kind "transform"): augmentations that
// make a view of an image, or a patch mask for masked methods.
//
// Lifecycle: constructed from its Params; setup() once with the input sample shape; then
// apply() once per sample per epoch, in the loader, which prepares the next batch while
// the current training step runs.
// Threading: apply() is const and called for many samples at once from worker threads.
// Determinism: every random choice comes from `rng`, the stream (seed, node, epoch,
// sample index) the engine passes, so a sample's view never depends on thread count.
#pragma once

#include <span>

#include "sslflow/interfaces/node.hpp"
#include "sslflow/plugin.hpp"
#include "sslflow/ports.hpp"
#include "sslflow/tensor.hpp"

namespace sslflow {

class SSLFLOW_EXPORT Transform : public Plugin {
 public:
  static constexpr const char* kKind = "transform";
  // The ports of signature(), by name.
  static constexpr const char* kInput = "input";
  static constexpr const char* kOut = "out";
  ~Transform() override;

  // Input `input` (Image), output `out` (Image); a mask transform declares a Mask output.
  static Signature signature();

  // Called once; returns the shape of one output sample (an image [C, H, W], a mask [T]).
  virtual Shape setup(const Shape& sample_shape, const NodeSetup& context) = 0;
  // in: one sample of the setup shape; out: one output sample, fully overwritten.
  virtual void apply(std::span<const float> in, std::span<float> out, Rng& rng) const = 0;
};

}  // namespace sslflow
