// data2vec's regression targets, built from the teacher's block outputs on the full input
// (Baevski et al. 2022, section 3.3):
//
//   y = target_norm( (1/K) sum_{l = L-K+1..L} block_norm(block_l) ),  taken at the masked tokens
//
// Each normalisation is named for what it computes; none has affine parameters.
//   layer_norm     per token, over its D features (eps 1e-5)
//   instance_norm  per sample and feature, over the sample's T tokens (eps 1e-5, biased
//                  variance): F.instance_norm of the (B, D, T) transpose
//   rms            (target_norm only) per sample and feature, over that sample's masked
//                  tokens: y / (sqrt(mean y^2) + 1e-8)
//   none           the blocks, or their average, as they are
//
// Where each form comes from:
//   block_norm layer_norm      data2vec's vision recipe: the paper's per-block parameter-less
//                              layer norm; fairseq examples/data2vec/models/data2vec_vision.py
//                              lines 300-301 (layer_norm_target_layer)
//   block_norm instance_norm   data2vec 2.0: fairseq examples/data2vec/models/data2vec2.py,
//                              make_targets lines 727-746 (instance_norm_target_layer, the
//                              image recipe's choice, config/v2/base_images_only_task.yaml:75)
//   block_norm none            stable-pretraining's Data2Vec (stable_pretraining/methods/
//                              data2vec.py lines 148-151: the mean of the top K blocks, then one
//                              layer norm)
//   target_norm layer_norm     data2vec_vision.py lines 305-306 (layer_norm_targets),
//                              data2vec2.py lines 758-759, stable-pretraining data2vec.py:151
//   target_norm instance_norm  data2vec_vision.py lines 308-309 (instance_norm_targets)
//   target_norm rms            oxicuda-ssl's Data2VecModel: src/masked/data2vec.rs,
//                              normalize_teacher_targets (lines 178-197), which data2vec_loss
//                              applies to one sample's masked rows
//
// Everything here is a target: it is computed without recording gradients.
// Threading: pure functions of their arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sslflow/autograd.hpp"

namespace sslflow::data2vec {

enum class Norm { LayerNorm, InstanceNorm, Rms, None };

// "layer_norm", "instance_norm", "rms", "none"; throws OptionError for anything else.
Norm parse_norm(const std::string& name);

// Flat indices b * T + t of the masked tokens of mask (B, T), in row-major order.
std::vector<int64_t> masked_tokens(const Tensor& mask);

// The rows `tokens` of x (B, T, D) as (N, D).
Var gather_tokens(const Var& x, const std::vector<int64_t>& tokens);

struct TargetSpec {
  int64_t top_k = 6;
  Norm block_norm = Norm::LayerNorm;   // LayerNorm, InstanceNorm or None
  Norm target_norm = Norm::LayerNorm;  // any
};

// blocks: every teacher block, each (B, T, D), first to last; tokens: masked_tokens().
// Returns the detached target (N, D). Throws Error when top_k exceeds the blocks.
Var build_target(const std::vector<Var>& blocks, const std::vector<int64_t>& tokens, const TargetSpec& spec);

}  // namespace sslflow::data2vec
