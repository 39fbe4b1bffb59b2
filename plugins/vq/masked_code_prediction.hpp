// Method `vq`: BEiT-style masked token prediction over an EMA vector-quantised codebook
// (Bao et al. 2022, with the tokeniser learnt online as in BEiT v2, Peng et al. 2022).
//
// Inputs: `student` (B, T, D), the student's tokens on the masked image; `teacher`
// (B, T, C), the EMA teacher's tokens on the full image; `mask` (B, T), 1 at masked tokens.
// Each teacher token is quantised by a Codebook of K codes; a linear head on the student's
// tokens predicts, at every masked token, the index of its teacher token's code. The `loss`
// plugin scores the logits (M, K) of the M masked tokens against their codes, given as
// class ids (M) stored as floats: cross-entropy over the K codes by default, as BEiT.
// The loss adds the codebook's commitment term on the teacher's features. The teacher's
// tokens are detached, so that term carries no gradient anywhere: the codebook (the
// tokeniser) learns only through its EMA update, applied in end_step() after the optimizer
// step; the student learns only through the prediction.
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
  void end_step(int64_t step, int64_t total_steps) override;

 private:
  CodebookOptions options_;
  std::shared_ptr<Loss> loss_;
  std::shared_ptr<Codebook> codebook_;
  std::shared_ptr<nn::Linear> head_;  // (D) -> (K) logits
  int64_t tokens_ = 0;                // T
  int64_t student_dim_ = 0;           // D
};

}  // namespace sslflow::vq
