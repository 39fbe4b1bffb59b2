#include "dino_loss.hpp"

#include <cmath>
#include <vector>

#include "sslflow/ops.hpp"

namespace sslflow::dino {

double TeacherTemperature::at(int64_t epoch) const {
  if (epoch >= warmup_epochs) return final;
  if (warmup_epochs == 1) return warmup_start;
  return warmup_start + (final - warmup_start) * static_cast<double>(epoch) / static_cast<double>(warmup_epochs - 1);
}

Tensor teacher_targets(const Tensor& teacher_logits, const Tensor& center, float temperature) {
  NoGrad no_grad;
  return softmax((Var(teacher_logits) - Var(center)) / temperature).value();
}

Var cross_crop_loss(const Var& student_logits, const Tensor& targets, int64_t crops, float student_temperature) {
  const int64_t classes = targets.dim(1);
  const int64_t batch = targets.dim(0) / 2;
  // Each student crop's rows weighted by the sum of the targets it is compared with: crop
  // 0 with global crop 1's, crop 1 with crop 0's, a local crop with both.
  Tensor weights(student_logits.shape());  // (crops B, K)
  const int64_t crop_size = batch * classes;
  const float* q0 = targets.data();
  const float* q1 = targets.data() + crop_size;
  for (int64_t crop = 0; crop < crops; ++crop) {
    float* w = weights.data() + crop * crop_size;
    for (int64_t i = 0; i < crop_size; ++i) w[i] = (crop == 0 ? 0.0f : q0[i]) + (crop == 1 ? 0.0f : q1[i]);
  }
  const Var log_p = log_softmax(student_logits / student_temperature);  // (crops B, K)
  const float pairs = static_cast<float>(2 * (crops - 1));
  return -sum(Var(weights) * log_p) / (static_cast<float>(batch) * pairs);
}

double mean_entropy(const Tensor& distributions) {
  double total = 0.0;
  for (float p : distributions.values())
    if (p > 0.0f) total -= double(p) * std::log(double(p));
  return total / static_cast<double>(distributions.dim(0));
}

void update_center(Tensor& center, const Tensor& teacher_logits, double momentum) {
  const int64_t rows = teacher_logits.dim(0), classes = teacher_logits.dim(1);
  std::vector<double> column_sums(static_cast<size_t>(classes), 0.0);  // (K)
  const float* t = teacher_logits.data();                                // (rows, K)
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < classes; ++k) column_sums[static_cast<size_t>(k)] += t[r * classes + k];
  float* c = center.data();  // (1, K)
  for (int64_t k = 0; k < classes; ++k)
    c[k] = static_cast<float>(momentum * c[k] +
                              (1.0 - momentum) * column_sums[static_cast<size_t>(k)] / static_cast<double>(rows));
}

}  // namespace sslflow::dino
