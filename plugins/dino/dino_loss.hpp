// DINO's objective (facebookresearch/dino, main_dino.py, DINOLoss), in parts a method
// composes: the teacher temperature's schedule, the teacher's centred and sharpened
// targets, the cross-entropy between crops, and the centre's moving average.
//
// For n crops of B samples (2 global crops first, both seen by the teacher, then n - 2
// local ones seen by the student only), student logits s (n B, K) and teacher logits t
// (2 B, K), crop by crop along the rows:
//
//   q_i  = softmax((t_i - c) / tau_t)                    the teacher's targets, no gradient
//   L    = 1 / (2 (n - 1)) sum_{i in {0,1}} sum_{v != i} mean_b [ -q_i . log_softmax(s_v / tau_s) ]
//   c   <- m c + (1 - m) mean_rows(t)                    update_center, after the step
#pragma once

#include <cstdint>

#include "sslflow/autograd.hpp"
#include "sslflow/tensor.hpp"

namespace sslflow::dino {

// DINOLoss.teacher_temp_schedule: np.linspace(warmup_start, final, warmup_epochs) over the
// first warmup_epochs epochs, then final; epoch 0 takes warmup_start (final when
// warmup_epochs is 0).
struct TeacherTemperature {
  double warmup_start;
  double final;
  int64_t warmup_epochs;

  double at(int64_t epoch) const;
};

// q = softmax((t - c) / temperature) row by row, for teacher logits t (2 B, K) and the
// centre c (1, K): DINOLoss.forward's teacher_out, without gradient.
Tensor teacher_targets(const Tensor& teacher_logits, const Tensor& center, float temperature);

// L above for student logits (crops B, K) and the targets q (2 B, K) of the two global
// crops. Each local crop learns from both targets, each global crop from the other's.
Var cross_crop_loss(const Var& student_logits, const Tensor& targets, int64_t crops, float student_temperature);

// The mean over the rows of the entropy -sum_k q_k log q_k of distributions q (N, K), in nats.
double mean_entropy(const Tensor& distributions);

// DINOLoss.update_center: center <- momentum center + (1 - momentum) mean_rows(teacher_logits), in place.
void update_center(Tensor& center, const Tensor& teacher_logits, double momentum);

}  // namespace sslflow::dino
