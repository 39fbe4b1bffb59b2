#include "online_probe.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::probe {

namespace {

constexpr const char* kInput = "input";
constexpr const char* kLabel = "label";

// The class ids of a Labels tensor (B), checked against [0, classes).
std::vector<int64_t> class_ids(const Tensor& labels, int64_t classes) {
  std::vector<int64_t> ids;
  ids.reserve(static_cast<size_t>(labels.numel()));
  for (float v : labels.values()) {
    const auto id = static_cast<int64_t>(std::lround(v));
    if (id < 0 || id >= classes)
      throw Error("online_probe: label " + std::to_string(id) + " is not a class id in [0, " +
                  std::to_string(classes) + "); set the option `classes`");
    ids.push_back(id);
  }
  return ids;
}

// The fraction of rows of logits (B, C) whose largest entry is at the row's class id.
double top1(const Tensor& logits, const std::vector<int64_t>& ids) {
  const int64_t batch = logits.dim(0), classes = logits.dim(1);
  int64_t correct = 0;
  for (int64_t b = 0; b < batch; ++b) {
    const float* row = logits.data() + b * classes;  // (C)
    int64_t best = 0;
    for (int64_t c = 1; c < classes; ++c)
      if (row[c] > row[best]) best = c;
    if (best == ids[static_cast<size_t>(b)]) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(batch);
}

}  // namespace

Schema OnlineProbe::schema() {
  return {Option("classes", 10, "classes of the dataset's labels; 10 as Fashion-MNIST and CIFAR-10").min(2)};
}

Signature OnlineProbe::signature() {
  return {{{kInput, PortType::Features, "the encoder's features (B, D); detached before the classifier"},
           {kLabel, PortType::Labels, "the class labels (B): data.label"}},
          {}};
}

OnlineProbe::OnlineProbe(const Params& params) : classes_(params.get<int64_t>("classes")) {}

void OnlineProbe::setup(const InputShapes& shapes, const NodeSetup& context) {
  const Shape& shape = shapes.get(kInput);
  if (shape.rank() != 1) throw ShapeError("online_probe: needs features of shape [D], got " + shape.str());
  feature_dim_ = shape[0];
  Rng rng = context.init_rng();
  classifier_ = register_module("classifier", std::make_shared<nn::Linear>(feature_dim_, classes_, rng));
}

StepOutput OnlineProbe::forward(const MethodInputs& inputs) {
  const Var& x = inputs.get(kInput).value();
  const Tensor& labels = inputs.get(kLabel).value().value();
  if (x.rank() != 2 || x.dim(1) != feature_dim_ || labels.rank() != 1 || labels.dim(0) != x.dim(0))
    throw ShapeError("online_probe: expected features (B, " + std::to_string(feature_dim_) + ") and labels (B), got " +
                     x.shape().str() + " and " + labels.shape().str());
  const std::vector<int64_t> ids = class_ids(labels, classes_);
  Var logits = classifier_->forward(x.detach());  // (B, classes)
  return {cross_entropy(logits, ids), {{"top1", top1(logits.value(), ids)}}};
}

}  // namespace sslflow::probe
