#include "contrastive_accuracy.hpp"

#include "sslflow/ops.hpp"

namespace sslflow::simclr {

double contrastive_accuracy(const Tensor& z1, const Tensor& z2) {
  NoGrad no_grad;
  const int64_t pairs = z1.dim(0), samples = 2 * pairs;
  const Var z = l2_normalize(concat({Var(z1), Var(z2)}, 0));  // (2N, D)
  const Tensor similarity = linear(z, z).value();             // (2N, 2N): z z^T
  int64_t correct = 0;
  for (int64_t i = 0; i < samples; ++i) {
    const float* row = similarity.data() + i * samples;  // (2N)
    const int64_t positive = (i + pairs) % samples;
    bool best = true;
    for (int64_t j = 0; j < samples && best; ++j)
      if (j != i && j != positive) best = row[j] < row[positive];
    correct += best ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(samples);
}

}  // namespace sslflow::simclr
