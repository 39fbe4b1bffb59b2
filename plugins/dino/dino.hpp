// DINO (Caron et al. 2021, "Emerging Properties in Self-Supervised Vision Transformers"),
// kind method: self-distillation without labels. A student network learns to match, on
// every crop of an image, a teacher network's centred and sharpened output distribution on
// the image's other global crops (dino_loss.hpp):
//
//   s = h(f(x_v))  for every crop v            student logits (n B, K)
//   t = h'(f'(x_i)) for the 2 global crops     teacher logits (2 B, K), no gradient
//   L = cross_crop_loss(s, softmax((t - c) / tau_t), n, tau_s)
//
// as the official code (facebookresearch/dino, main_dino.py: train_one_epoch, DINOLoss.forward,
// DINOLoss.update_center; utils.py: MultiCropWrapper, which runs the head once on the
// concatenated crops, cancel_gradients_last_layer, cosine_scheduler).
//
// Heads: the student head h is a DinoHead (dino_head.hpp: mlp in -> 2048 -> 2048 -> 256 with
// GELU, L2 normalisation, a weight-normalised last layer 256 -> 65536 without bias, its norm
// fixed at 1), "student_head.*". The teacher head h' ("teacher_head.*", buffers) is its
// EmaCopy (sslflow/ema.hpp): never trained, after every step h' <- m h' + (1 - m) h at the
// momentum m of `schedule`, cosine 0.996 -> 1 as main_dino.py's momentum_schedule. The
// teacher encoder f' is an EMA teacher node of the pipeline on the global crops
// (`teacher: {ema_of: backbone, inputs: [global1, global2], schedule: ...}`) following f
// at the same schedule, as main_dino.py updates teacher backbone and head as one module.
//
// State besides the heads: the buffer "center" (1, K), zeros at first, moved after every
// step by the mean of that step's teacher logits (center_momentum 0.9). Epochs are
// NodeSetup::steps_per_epoch steps: the teacher temperature tau_t rises linearly over the
// first warmup_teacher_temp epochs (TeacherTemperature, one value per epoch as the official
// schedule), and the last layer gets no gradient during the first freeze_last_layer epochs.
//
// Ports: `input`, the student's features (B, F) of every crop, the two global crops first
// (`inputs: [backbone.0, backbone.1, backbone.2, ...]`), at least two; `target`, the teacher
// encoder's features (B, F) of the two global crops in the same order (`targets:
// [teacher.0, teacher.1]`). Other counts fail in setup() and forward() with a GraphError
// naming the method and the port, other shapes or unequal batches with a ShapeError. A
// batch of one sample is accepted: nothing in the loss needs batch statistics.
// Metrics: teacher_temp (tau_t of the step), teacher_entropy (the mean entropy of the
// teacher's targets, in nats: log K when they are uniform, 0 when one-hot; collapse drives it
// to one of the two), kl (the mean KL divergence of the student's distributions from the
// targets, the loss less teacher_entropy: 0 when the student matches the teacher whatever it
// outputs), and collapse_std, z_std_ratio of the student's bottleneck output of the first
// global crop (sslflow/collapse_metrics.hpp).
// Threading: forward() and end_step() are called from one task at a time (Method's contract).
#pragma once

#include <cstdint>
#include <memory>

#include "dino_head.hpp"
#include "dino_loss.hpp"
#include "sslflow/ema.hpp"
#include "sslflow/interfaces/ema_scheduler.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/params.hpp"

namespace sslflow::dino {

class Dino final : public Method {
 public:
  static Schema schema();
  static Signature signature();
  explicit Dino(const Params& params);

  void setup(const InputShapes& shapes, const NodeSetup& context) override;
  StepOutput forward(const MethodInputs& inputs) override;

 protected:
  // Notes the step about to run, whose epoch sets the temperature and the freeze.
  void on_begin_step(int64_t step, int64_t total_steps) override;
  // h' follows h; the centre takes the step's teacher logits.
  void on_end_step(int64_t step, int64_t total_steps) override;

 private:
  int64_t epoch() const { return step_ / steps_per_epoch_; }

  DinoHeadLayout head_;  // in_dim set in setup()
  float student_temp_;
  TeacherTemperature teacher_temp_;
  double center_momentum_;
  int64_t freeze_last_layer_;
  std::shared_ptr<EmaScheduler> schedule_;

  int64_t steps_per_epoch_ = 1;
  int64_t step_ = 0;  // the step forward() computes, from begin_step()
  std::shared_ptr<DinoHead> student_head_;
  std::shared_ptr<EmaCopy> teacher_head_;
  Tensor center_;           // (1, K)
  Tensor teacher_logits_;   // (2 B, K) of the last forward(), for the centre's update
};

}  // namespace sslflow::dino
