// Encoder: a network that maps images (or tokens) to representations (plugin kind "encoder").
//
// Lifecycle: constructed from its Params; setup() once with the shape of one input sample
// (e.g. [1, 28, 28]), where it creates its parameters; then forward() once per input per
// training step. A node with `inputs: [view1, view2]` applies one encoder (shared weights)
// to each input; its outputs are `node.0`, `node.1`. A teacher node (`ema_of:`) is a second
// instance set up the same way, whose parameters and buffers follow the student by EMA.
//
// Threading: forward() may run concurrently for different inputs of one step (two views),
// so it must not mutate shared state except through ops that are safe for it (running
// statistics of normalisation layers are updated per application, in a fixed order).
//
// Outputs: `out` (Features, (B, D)) always; `tokens` (Tokens, (B, T, D)) and `blocks` (the
// output of every block) when the architecture has them (has_tokens()).
#pragma once

#include <vector>

#include "sslflow/interfaces/node.hpp"
#include "sslflow/module.hpp"
#include "sslflow/plugin.hpp"
#include "sslflow/ports.hpp"

namespace sslflow {

class SSLFLOW_EXPORT Encoder : public Plugin, public Module {
 public:
  static constexpr const char* kKind = "encoder";
  // The ports of signature(), by name.
  static constexpr const char* kInput = "input";    // Image, repeated: one application each
  static constexpr const char* kMask = "mask";      // Mask, optional
  static constexpr const char* kOut = "out";        // Features
  static constexpr const char* kTokens = "tokens";  // Tokens
  static constexpr const char* kBlocks = "blocks";  // Blocks
  ~Encoder() override;

  struct Output {
    Var features;             // (B, D)
    Var tokens;               // (B, T, D), undefined without tokens
    std::vector<Var> blocks;  // each (B, T, D), empty without blocks
  };

  // The ports an encoder offers; plugins without tokens or a mask input override it.
  static Signature signature();

  // `sample_shape`: one input sample, e.g. [C, H, W]. Creates the parameters.
  virtual void setup(const Shape& sample_shape, const NodeSetup& context) = 0;
  // x (B, C, H, W); mask (B, T) 0/1 or undefined: masked tokens are replaced before the
  // blocks (by a mask token), or dropped from them where the encoder says so (the vit's
  // `masked: drop`, which needs the same count in every sample).
  virtual Output forward(const Var& x, const Tensor& mask) = 0;
  virtual int64_t feature_dim() const = 0;
};

}  // namespace sslflow
