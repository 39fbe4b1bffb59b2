// Codebook: a vector-quantisation codebook learnt by exponential moving averages
// (van den Oord et al. 2017, appendix A.1; Razavi et al. 2019, VQ-VAE-2).
//
// K codes of dimension C. quantize(z) assigns each row of z to its nearest code (squared
// L2 distance, computed through a matmul; a tie goes to the lowest index), returns the
// straight-through quantisation q_st = z + sg(q - z) (its gradient with respect to z is the
// identity) and the usage of the batch's codes. commitment(e, indices) is the commitment
// loss beta * mean((e - sg(q))^2) of rows e to the codes q of `indices` (the mean over every
// element, as VQ-VAE's reference implementations; sonnet's VectorQuantizerEMA,
// commitment_cost * mean((sg(quantized) - inputs)^2)): e is z itself in VQ-VAE, or any rows
// of width C that should commit to the codes chosen for z. quantize() also stages the
// batch's statistics; update() then applies the Laplace-smoothed EMA
//
//   n_k <- m n_k + (1 - m) |S_k|      e_k <- m e_k + (1 - m) sum_{z in S_k} z      code_k = e_k / n_k
//
// with the counts n starting at 1 and the sums e at the codes. The codebook therefore
// learns only through update(), never through gradients: a method calls quantize() in
// forward() and update() in on_end_step(), after the optimizer step.
//
// With `normalize`, rows of z and the codes are L2-normalised before assignment, and the
// normalised rows are what the EMA averages (ViT-VQGAN, Yu et al. 2021; BEiT v2, Peng et
// al. 2022); the stored codes remain e_k / n_k. The commitment then compares the normalised
// rows of e with the normalised codes, as BEiT v2's tokeniser (beit2/norm_ema_quantizer.py,
// NormEMAVectorQuantizer.forward: z = l2norm(z), loss = beta * F.mse_loss(z_q.detach(), z)).
//
// Initialisation: the first quantize() seeds the codes from that batch by k-means++
// (Arthur and Vassilvitskii 2007) drawn from the stream (seed, "codebook.<name>"), unless
// set_codes() has given them. Dead codes: with `reseed_dead`, update() resets every code
// that no row has chosen for `dead_after` updates to a row of the last batch drawn from the
// stream (seed, "codebook.reseed.<name>", step), with its count back at 1.
//
// Buffers (state_dict names): codes (K, C), ema_counts (K), ema_sums (K, C), idle_steps (K)
// (updates since each code was last chosen) and seeded (1: 1 once the codes are set).
//
// Threading: quantize() and update() mutate the staged statistics and must be called from
// one thread at a time, as Method::forward() and Module::end_step() are.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sslflow/autograd.hpp"
#include "sslflow/module.hpp"
#include "sslflow/random.hpp"

namespace sslflow::vq {

struct CodebookOptions {
  int64_t codes = 64;   // K
  int64_t dim = 64;     // C
  double momentum = 0.99;
  double beta = 0.25;
  bool normalize = true;
  bool reseed_dead = false;
  int64_t dead_after = 100;
};

struct Quantized {
  Var quantized;                 // (N, C) z + sg(q - z)
  std::vector<int64_t> indices;  // (N) the chosen codes
  double usage = 0.0;            // fraction of the K codes chosen by some row
  double perplexity = 0.0;       // exp of the entropy of the batch's code histogram
};

class Codebook final : public Module {
 public:
  // `seed` and `name` name the random streams of seeding and re-seeding.
  Codebook(const CodebookOptions& options, uint64_t seed, std::string name);

  // The nearest code of every row of z (N, C), after normalisation when `normalize`.
  std::vector<int64_t> assign(const Tensor& z) const;
  // z (N, C): quantises and stages the batch for update(); seeds the codes on first use.
  Quantized quantize(const Var& z);
  // beta * mean((e - sg(q))^2) for rows e (N, C) and q the codes `indices` (N) (both
  // normalised when `normalize`): a scalar whose gradient pulls e toward its codes.
  // ShapeError unless e has one row of width C per index.
  Var commitment(const Var& e, std::span<const int64_t> indices) const;
  // Applies the EMA of the batches staged since the last update, then re-seeds dead codes.
  // `step` names the re-seeding stream. Without staged batches only the idle count grows.
  void update(int64_t step);

  // Starts from `codes` (K, C): counts 1, sums equal to the codes, nothing idle.
  void set_codes(const Tensor& codes);

  const CodebookOptions& options() const { return options_; }
  const Tensor& codes() const { return codes_; }
  const Tensor& ema_counts() const { return counts_; }
  const Tensor& ema_sums() const { return sums_; }

 private:
  Tensor prepared(const Tensor& z) const;  // z, L2-normalised per row when `normalize`
  void seed_codes(const Tensor& z);        // k-means++ over the rows of z
  void reseed_dead(int64_t step);

  CodebookOptions options_;
  uint64_t seed_;
  std::string name_;
  Tensor codes_;   // (K, C)
  Tensor counts_;  // (K)
  Tensor sums_;    // (K, C)
  Tensor idle_;    // (K)
  Tensor seeded_;  // (1)

  // Staged since the last update().
  std::vector<double> batch_counts_;  // (K)
  std::vector<double> batch_sums_;    // (K, C)
  Tensor last_batch_;                 // (N, C) prepared rows of the latest quantize()
};

// Fraction of the codes whose count in `histogram` is positive.
double codebook_usage(std::span<const double> histogram);
// exp(-sum p log p) with p = histogram / sum(histogram): the effective number of codes used;
// 0 for an empty histogram.
double perplexity(std::span<const double> histogram);

}  // namespace sslflow::vq
