// OnlineProbe, kind method: a linear classifier trained alongside pretraining on the
// encoder's detached features, the online linear probe of solo-learn and
// stable-pretraining; it reports how linearly separable the representation is as it trains.
//
// logits = Linear(D, classes)(sg(x)), loss = cross-entropy(logits, labels), where sg is
// detach(). The engine sums every method's loss before back-propagating; the detached input
// keeps this loss's gradient in the classifier, so the encoder's gradients, and with a
// per-parameter optimizer its training, are exactly those of the pipeline without the probe.
// A global gradient-norm clip (train.clip_grad_norm) is the exception: its norm includes
// the classifier's gradient.
//
// The batches are the training batches, so the features are those of the augmented (or
// masked) views the encoder sees, not of clean images: `top1` tracks the trend, and the
// `linear_probe` evaluator gives the clean test accuracy.
//
// Ports: `input` (Features (B, D), e.g. `backbone.0`) and `label` (Labels (B), wired as
// `label: data.label`). Option `classes` (default 10): labels must lie in [0, classes).
// Metrics: `top1`, the classifier's accuracy on the batch (the engine adds `loss`).
// Parameter names: "classifier.weight", "classifier.bias".
// Threading: forward() is called from one task at a time (Method's contract).
#pragma once

#include <memory>

#include "sslflow/interfaces/method.hpp"
#include "sslflow/nn/linear.hpp"
#include "sslflow/params.hpp"

namespace sslflow::probe {

class OnlineProbe final : public Method {
 public:
  static Schema schema();
  static Signature signature();
  explicit OnlineProbe(const Params& params);

  void setup(const InputShapes& shapes, const NodeSetup& context) override;
  StepOutput forward(const MethodInputs& inputs) override;

 private:
  int64_t classes_;
  int64_t feature_dim_ = 0;
  std::shared_ptr<nn::Linear> classifier_;
};

}  // namespace sslflow::probe
