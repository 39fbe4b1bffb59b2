#include "targets.hpp"

#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::data2vec {

namespace {

constexpr float kLayerNormEps = 1e-5f;  // F.layer_norm's default, as data2vec
constexpr float kRmsEps = 1e-8f;        // oxicuda-ssl's target normalisation

// y / sqrt(mean over rows of y^2 + eps), per column.
Var rms_normalize(const Var& y) {  // (N, D)
  Var mean_square = mean(square(y), 0, /*keepdim=*/true);  // (1, D)
  return y / sqrt(mean_square + kRmsEps);
}

}  // namespace

TargetNorm parse_target_norm(const std::string& name) {
  if (name == "layer_norm") return TargetNorm::LayerNorm;
  if (name == "rms") return TargetNorm::Rms;
  if (name == "none") return TargetNorm::None;
  throw OptionError("data2vec: target_norm '" + name + "' is not one of layer_norm, rms, none");
}

std::vector<int64_t> masked_tokens(const Tensor& mask) {  // (B, T)
  std::vector<int64_t> tokens;
  const std::span<const float> flags = mask.values();
  for (size_t i = 0; i < flags.size(); ++i)
    if (flags[i] > 0.5f) tokens.push_back(static_cast<int64_t>(i));
  return tokens;
}

Var gather_tokens(const Var& x, const std::vector<int64_t>& tokens) {  // (B, T, D) -> (N, D)
  return index_select(reshape(x, Shape{x.dim(0) * x.dim(1), x.dim(2)}), 0, tokens);
}

Var build_target(const std::vector<Var>& blocks, const std::vector<int64_t>& tokens, const TargetSpec& spec) {
  const auto count = static_cast<int64_t>(blocks.size());
  if (spec.top_k > count)
    throw Error("data2vec: top_k " + std::to_string(spec.top_k) + " exceeds the teacher's " + std::to_string(count) +
                " blocks; set top_k to at most " + std::to_string(count));
  NoGrad no_grad;
  Var sum;  // (N, D)
  for (int64_t l = count - spec.top_k; l < count; ++l) {
    Var block = gather_tokens(blocks[size_t(l)].detach(), tokens);  // (N, D)
    if (spec.instance_norm_blocks) block = layer_norm(block, {}, {}, kLayerNormEps);
    sum = sum.defined() ? sum + block : block;
  }
  Var y = sum * (1.0f / static_cast<float>(spec.top_k));  // (N, D)
  switch (spec.norm) {
    case TargetNorm::LayerNorm: y = layer_norm(y, {}, {}, kLayerNormEps); break;
    case TargetNorm::Rms: y = rms_normalize(y); break;
    case TargetNorm::None: break;
  }
  return y.detach();
}

}  // namespace sslflow::data2vec
