// Method `vq`: BEiT-style masked token prediction over an EMA vector-quantised codebook
// (Bao et al. 2022, with the tokeniser learnt online as in BEiT v2, Peng et al. 2022).
//
// Inputs: `student` (B, T, D), the student's tokens on the masked image; `teacher`
// (B, T, C), the EMA teacher's tokens on the full image; `mask` (B, T), 1 at masked tokens.
// Each teacher token is quantised by a Codebook of K codes; a linear head on the student's
// tokens predicts, at every masked token, the index of its teacher token's code. The `loss`
// plugin scores the logits (M, K) of the M masked tokens against their codes, given as
// class ids (M) stored as floats: cross-entropy over the K codes by default, as BEiT.
// The codebook learns only through its EMA update, applied in on_end_step() after the
// optimizer step.
//
// The commitment term, beta * mean((s - sg(q))^2) over every element, pulls the student's
// token s at each of the B T positions toward the code q chosen for the teacher's token at
// that position (both L2-normalised with `normalize`). Why the student's tokens: the term
// exists to pull an encoder toward the codes it is assigned, so it needs an encoder with a
// gradient. In VQ-VAE (van den Oord et al. 2017, eq. 3) that is the encoder whose output is
// quantised; in BEiT v2's tokeniser (beit2/norm_ema_quantizer.py, NormEMAVectorQuantizer:
// beta * mse(sg(z_q), l2norm(z))) it is the tokeniser's encoder. Here the quantised tokens
// are the EMA teacher's, which take no gradient (committing them changed nothing: beta only
// scaled a logged number), and the teacher is an average of the student, so the encoder
// behind the tokeniser is the student: pulled toward the codes, it carries the teacher's
// tokens toward them through the EMA, with the EMA's delay. At a masked position the pulled
// token is the one the head reads and its code is the class the head must name, so the two
// terms agree; at a visible one the student and the teacher see the same patch. A trainable
// projection of the teacher's tokens before quantisation was rejected: its only gradient
// would be the commitment, which a constant output satisfies, so without the decoder that
// VQ-VAE and BEiT v2 train beside it, it collapses onto one code. The term needs the
// student's width D to equal the teacher's C (setup() says so otherwise); beta 0 turns it
// off, and the student then learns only through the prediction.
//
// The codebook starts from a k-means++ draw over the first batch's teacher tokens (see
// codebook.hpp). Metrics: prediction_loss, commitment_loss, token_accuracy (of the
// prediction at masked tokens), codebook_usage and perplexity of the batch's codes.
#pragma once

#include <memory>

#include "codebook.hpp"
#include "sslflow/interfaces/loss.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/nn/linear.hpp"
#include "sslflow/params.hpp"

namespace sslflow::vq {

class MaskedCodePrediction final : public Method {
 public:
  static Schema schema();
  static Signature signature();
  explicit MaskedCodePrediction(const Params& params);

  void setup(const InputShapes& shapes, const NodeSetup& context) override;
  StepOutput forward(const MethodInputs& inputs) override;
 protected:
  void on_end_step(int64_t step, int64_t total_steps) override;

 private:
  CodebookOptions options_;
  std::shared_ptr<Loss> loss_;
  std::shared_ptr<Codebook> codebook_;
  std::shared_ptr<nn::Linear> head_;  // (D) -> (K) logits
  int64_t tokens_ = 0;                // T
  int64_t student_dim_ = 0;           // D
};

}  // namespace sslflow::vq
