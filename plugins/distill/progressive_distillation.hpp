// distill (kind method): progressive layer-to-layer distillation of a frozen teacher's hidden
// states into a student (Sun et al. 2019, "Patient Knowledge Distillation"; entrenar's
// ProgressiveDistillation).
//
//   loss = hidden_weight * mean over pairs (s, t) of MSE(proj(student[s]), sg(teacher[t]))
//
// Ports: `student` and `teacher` (Blocks): each (B, T, D) block output of the student
// encoder and of the teacher (a node with `load:` and `frozen: true`). Blocks of a pair
// agree in every dimension but the width. proj is a trainable bias-free linear map from
// the student's width Ds to the teacher's Dt, initialised Xavier-uniform: created in
// setup() when the widths differ (projection: auto), always (always) or never (never,
// where differing widths are an error). With `normalize`, each token's state (the
// student's after projection) is L2-normalised before the MSE. The teacher's states are
// detached: no gradient reaches the teacher.
//
// Metrics: `mse_<s>_<t>`, the unweighted MSE of each pair.
// Threading: as Method; forward() reads only parameters set up in setup().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "layer_mapping.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/nn/linear.hpp"
#include "sslflow/params.hpp"

namespace sslflow::distill {

enum class Projection { Auto, Always, Never };

class ProgressiveDistillation final : public Method {
 public:
  static Schema schema();
  static Signature signature();
  explicit ProgressiveDistillation(const Params& params);

  void setup(const InputShapes& shapes, const NodeSetup& context) override;
  StepOutput forward(const MethodInputs& inputs) override;

  // The student-to-teacher projection (weight (Dt, Ds)); null when setup() made none.
  const nn::Linear* projection() const { return projection_.get(); }

 private:
  std::string who_;  // "<owner> (distill)", for messages
  std::vector<LayerPair> mapping_;
  float hidden_weight_;
  Projection projection_mode_;
  bool normalize_;
  size_t student_blocks_ = 0;
  size_t teacher_blocks_ = 0;
  std::shared_ptr<nn::Linear> projection_;
};

}  // namespace sslflow::distill
