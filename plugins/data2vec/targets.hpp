// data2vec's regression targets, built from the teacher's block outputs at the masked
// tokens (Baevski et al. 2022, section 3.3):
//
//   y = normalise( (1/K) sum_{l = L-K+1..L} instance_norm(block_l) )
//
// where instance_norm is a per-token layer norm without affine parameters (optional) and
// normalise is one of
//   layer_norm  per token, over the features, without affine parameters (vision)
//   rms         per feature, y_d / sqrt(mean over masked tokens of y_d^2 + 1e-8), as the
//               Data2VecModel of oxicuda-ssl
//   none        the average itself
//
// Everything here is a target: it is computed without recording gradients.
// Threading: pure functions of their arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sslflow/autograd.hpp"

namespace sslflow::data2vec {

enum class TargetNorm { LayerNorm, Rms, None };

// "layer_norm", "rms", "none"; throws OptionError for anything else.
TargetNorm parse_target_norm(const std::string& name);

// Flat indices b * T + t of the masked tokens of mask (B, T), in row-major order.
std::vector<int64_t> masked_tokens(const Tensor& mask);

// The rows `tokens` of x (B, T, D) as (N, D).
Var gather_tokens(const Var& x, const std::vector<int64_t>& tokens);

struct TargetSpec {
  int64_t top_k = 2;
  bool instance_norm_blocks = true;
  TargetNorm norm = TargetNorm::LayerNorm;
};

// blocks: every teacher block, each (B, T, D), first to last; tokens: masked_tokens().
// Returns the detached target (N, D). Throws Error when top_k exceeds the blocks.
Var build_target(const std::vector<Var>& blocks, const std::vector<int64_t>& tokens, const TargetSpec& spec);

}  // namespace sslflow::data2vec
