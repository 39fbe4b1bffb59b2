#include "targets.hpp"

#include <cmath>

#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::data2vec {

namespace {

constexpr float kNormEps = 1e-5f;  // F.layer_norm's and F.instance_norm's default, as fairseq's data2vec
constexpr double kRmsEps = 1e-8;   // oxicuda-ssl's normalize_teacher_targets

// x (B, T, D): each token normalised over its D features.
Tensor layer_norm_per_token(const Tensor& x) {
  const Var rows(x.reshape(Shape{x.dim(0) * x.dim(1), x.dim(2)}));  // (B T, D)
  return layer_norm(rows, {}, {}, kNormEps).value().reshape(x.shape());
}

// x (B, T, D): each sample's feature d normalised over the sample's T tokens, by the mean
// and biased variance (F.instance_norm on the (B, D, T) transpose).
Tensor instance_norm_over_tokens(const Tensor& x) {
  const int64_t batch = x.dim(0), tokens = x.dim(1), dim = x.dim(2);
  Tensor out(x.shape());  // (B, T, D)
  for (int64_t b = 0; b < batch; ++b) {
    const float* in = x.data() + b * tokens * dim;  // (T, D)
    float* normalized = out.data() + b * tokens * dim;
    for (int64_t d = 0; d < dim; ++d) {
      double sum = 0.0;
      for (int64_t t = 0; t < tokens; ++t) sum += in[t * dim + d];
      const double mean = sum / double(tokens);
      double squares = 0.0;
      for (int64_t t = 0; t < tokens; ++t) squares += (in[t * dim + d] - mean) * (in[t * dim + d] - mean);
      const double inv_std = 1.0 / std::sqrt(squares / double(tokens) + kNormEps);
      for (int64_t t = 0; t < tokens; ++t) normalized[t * dim + d] = float((in[t * dim + d] - mean) * inv_std);
    }
  }
  return out;
}

Tensor normalized(const Tensor& x, Norm norm) {
  switch (norm) {
    case Norm::LayerNorm: return layer_norm_per_token(x);
    case Norm::InstanceNorm: return instance_norm_over_tokens(x);
    case Norm::Rms:
    case Norm::None: break;
  }
  return x;
}

// y (N, D), the rows of the masked `tokens` (flat b * T + t, in order, so each sample's rows
// are consecutive): each sample's feature d divided by (its RMS over that sample's rows + 1e-8).
Tensor rms_per_sample(const Tensor& y, const std::vector<int64_t>& tokens, int64_t tokens_per_sample) {
  const int64_t rows = y.dim(0), dim = y.dim(1);
  Tensor out = y.clone();  // (N, D)
  for (int64_t begin = 0; begin < rows;) {
    const int64_t sample = tokens[size_t(begin)] / tokens_per_sample;
    int64_t end = begin + 1;
    while (end < rows && tokens[size_t(end)] / tokens_per_sample == sample) ++end;
    for (int64_t d = 0; d < dim; ++d) {
      double squares = 0.0;
      for (int64_t r = begin; r < end; ++r) squares += double(y.data()[r * dim + d]) * y.data()[r * dim + d];
      const double scale = 1.0 / (std::sqrt(squares / double(end - begin)) + kRmsEps);
      for (int64_t r = begin; r < end; ++r) out.data()[r * dim + d] = float(y.data()[r * dim + d] * scale);
    }
    begin = end;
  }
  return out;
}

}  // namespace

Norm parse_norm(const std::string& name) {
  if (name == "layer_norm") return Norm::LayerNorm;
  if (name == "instance_norm") return Norm::InstanceNorm;
  if (name == "rms") return Norm::Rms;
  if (name == "none") return Norm::None;
  throw OptionError("data2vec: normalisation '" + name + "' is not one of layer_norm, instance_norm, rms, none");
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
  Var sum;  // (B, T, D)
  for (int64_t l = count - spec.top_k; l < count; ++l) {
    const Var block(normalized(blocks[size_t(l)].value(), spec.block_norm));
    sum = sum.defined() ? sum + block : block;
  }
  const Tensor average = (sum * (1.0f / static_cast<float>(spec.top_k))).value();  // (B, T, D)
  const Var y = gather_tokens(Var(normalized(average, spec.target_norm)), tokens);  // (N, D)
  if (spec.target_norm == Norm::Rms) return Var(rms_per_sample(y.value(), tokens, average.dim(1)));
  return y.detach();
}

}  // namespace sslflow::data2vec
