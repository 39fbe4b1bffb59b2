#include "swav.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "sinkhorn.hpp"
#include "sslflow/collapse_metrics.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::swav {

namespace {

constexpr const char* kName = "swav";
constexpr const char* kInput = "input";
constexpr int kAssignmentCrops = 2;  // main_swav.py's crops_for_assign [0, 1]

// How many prototypes are the largest code of some row of `codes` (B, K).
double prototypes_used(const Tensor& codes) {
  const int64_t rows = codes.shape()[0], k = codes.shape()[1];
  std::set<int64_t> used;
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = codes.data() + r * k;
    used.insert(std::max_element(row, row + k) - row);
  }
  return static_cast<double>(used.size());
}

// Each row of `weight` (K, D) scaled to unit length, in place (F.normalize, eps 1e-12).
void normalize_rows(Tensor& weight) {
  const int64_t rows = weight.shape()[0], d = weight.shape()[1];
  for (int64_t r = 0; r < rows; ++r) {
    float* row = weight.data() + r * d;
    double squares = 0.0;
    for (int64_t i = 0; i < d; ++i) squares += double(row[i]) * row[i];
    const double scale = 1.0 / std::max(std::sqrt(squares), 1e-12);
    for (int64_t i = 0; i < d; ++i) row[i] = static_cast<float>(row[i] * scale);
  }
}

}  // namespace

Schema Swav::schema() {
  return {
      Option("proj_hidden", 2048,
             "width of the projection head's hidden layer; 2048 as the official --hidden_mlp (0: one Linear)")
          .min(0),
      Option("proj_dim", 128, "width of the embedding and the prototypes; 128 as the official --feat_dim").min(1),
      Option("prototypes", 3000, "number of prototypes K; 3000 as the official --nmb_prototypes").min(1),
      Option("temperature", 0.1, "softmax temperature of the predictions; 0.1 as the official --temperature")
          .positive(),
      Option("epsilon", 0.05, "regularisation of Sinkhorn-Knopp; 0.05 as the official --epsilon").range(0.002, 10.0),
      Option("sinkhorn_iterations", 3, "Sinkhorn-Knopp iterations; 3 as the official --sinkhorn_iterations")
          .range(1, 100),
      Option("freeze_prototypes_steps", 313,
             "steps at the start in which the prototypes get no gradient; 313 as the official "
             "--freeze_prototypes_niters (one epoch of ImageNet at batch 4096)")
          .min(0),
      Option("queue", 0,
             "embeddings of earlier batches kept per assignment crop for the codes (0: none); the official "
             "--queue_length, 0 by default and 3840 in its recipes of batch 256")
          .range(0, 1'000'000),
      Option("queue_start_epoch", 15, "the epoch from which the queue fills; 15 as the official --epoch_queue_starts")
          .min(0),
  };
}

Signature Swav::signature() {
  return {{{kInput, PortType::Features,
            "the features (B, F) of every crop, at least two, the two crops the codes are computed for (the "
            "global crops) first",
            false, true, 0, kAssignmentCrops}},
          {}};
}

Swav::Swav(const Params& params)
    : proj_hidden_(params.get<int64_t>("proj_hidden")),
      proj_dim_(params.get<int64_t>("proj_dim")),
      prototype_count_(params.get<int64_t>("prototypes")),
      temperature_(static_cast<float>(params.get<double>("temperature"))),
      epsilon_(params.get<double>("epsilon")),
      sinkhorn_iterations_(static_cast<int>(params.get<int64_t>("sinkhorn_iterations"))),
      freeze_prototypes_steps_(params.get<int64_t>("freeze_prototypes_steps")),
      queue_length_(params.get<int64_t>("queue")),
      queue_start_epoch_(params.get<int64_t>("queue_start_epoch")) {}

void Swav::setup(const InputShapes& shapes, const NodeSetup& context) {
  const size_t crops = shapes.count(kInput);
  if (crops < kAssignmentCrops)
    throw GraphError(std::string(kName) + ": input '" + kInput + "' needs at least two connections, the two " +
                     "global crops first (inputs: [backbone.0, backbone.1, ...]), got " + std::to_string(crops));
  const Shape& first = shapes.get(kInput, 0);
  if (first.rank() != 1) throw ShapeError(std::string(kName) + ": expected features (F), got " + first.str());
  for (size_t v = 1; v < crops; ++v)
    if (!(shapes.get(kInput, v) == first))
      throw ShapeError(std::string(kName) + ": the features of crop " + std::to_string(v + 1) + " have shape " +
                       shapes.get(kInput, v).str() + ", those of crop 1 " + first.str() + "; one head scores every crop");
  feature_dim_ = first[0];
  steps_per_epoch_ = context.steps_per_epoch;

  Rng rng = context.init_rng();
  nn::MlpLayout head = proj_hidden_ > 0 ? nn::MlpLayout::uniform(feature_dim_, proj_hidden_, proj_dim_, 2, true, false)
                                        : nn::MlpLayout{{feature_dim_, proj_dim_}, false, false};
  head.bias_before_norm = true;  // resnet50.py: nn.Linear(num_out_filters, hidden_mlp), its default bias
  projector_ = register_module("projector", std::make_shared<nn::Mlp>(head, nn::HeadInit::PyTorch, rng));
  prototypes_ = register_module("prototypes", std::make_shared<nn::Linear>(proj_dim_, prototype_count_, rng, false));
  if (queue_length_ > 0) queue_ = register_buffer("queue", Tensor(Shape{kAssignmentCrops, queue_length_, proj_dim_}));
}

void Swav::on_begin_step(int64_t step, int64_t) {
  step_ = step;
  NoGrad no_grad;
  Tensor weight = prototypes_->weight.value();
  normalize_rows(weight);
}

Tensor Swav::codes(int crop, const Tensor& scores, const Tensor& z) {
  if (!queue_.defined() || step_ < queue_start_epoch_ * steps_per_epoch_)
    return sinkhorn_codes(scores, epsilon_, sinkhorn_iterations_);
  const int64_t batch = scores.shape()[0], k = scores.shape()[1];
  if (batch > queue_length_)
    throw ShapeError(std::string(kName) + ": a queue of " + std::to_string(queue_length_) +
                     " embeddings cannot take a batch of " + std::to_string(batch) + "; set queue to at least the batch");
  float* queue = queue_.data() + crop * queue_length_ * proj_dim_;  // (queue, D)
  const float* last = queue + (queue_length_ - 1) * proj_dim_;
  const bool full = std::any_of(last, last + proj_dim_, [](float v) { return v != 0.0f; });
  Tensor all = scores;
  if (full) {
    NoGrad no_grad;
    const Tensor kept(Shape{queue_length_, proj_dim_}, std::span<const float>(queue, queue_length_ * proj_dim_));
    const Var queue_scores = linear(Var(kept), prototypes_->weight);  // (queue, K)
    all = concat({queue_scores, Var(scores)}, 0).value();
  }
  // main_swav.py: queue[i, bs:] = queue[i, :-bs]; queue[i, :bs] = the batch's embeddings.
  std::copy_backward(queue, queue + (queue_length_ - batch) * proj_dim_, queue + queue_length_ * proj_dim_);
  std::copy(z.data(), z.data() + batch * proj_dim_, queue);
  const Tensor codes = sinkhorn_codes(all, epsilon_, sinkhorn_iterations_);
  const int64_t skip = codes.shape()[0] - batch;
  return Tensor(Shape{batch, k}, std::span<const float>(codes.data() + skip * k, batch * k));
}

StepOutput Swav::forward(const MethodInputs& inputs) {
  const size_t crops = inputs.count(kInput);
  if (crops < kAssignmentCrops)
    throw GraphError(std::string(kName) + ": input '" + kInput + "' needs at least two connections, got " +
                     std::to_string(crops));
  std::vector<Var> features;
  for (size_t v = 0; v < crops; ++v) {
    const Var& x = inputs.get(kInput, v).value();
    if (x.rank() != 2 || x.dim(1) != feature_dim_ || x.dim(0) != inputs.get(kInput, 0).value().dim(0))
      throw ShapeError(std::string(kName) + ": expected features (B, " + std::to_string(feature_dim_) +
                       ") of one batch from every crop, got " + x.shape().str() + " for crop " + std::to_string(v + 1));
    features.push_back(x);
  }
  const int64_t batch = features[0].dim(0);
  const Var z = l2_normalize(projector_->forward(concat(features, 0)), 1);  // (V B, D)
  const Var prototypes = step_ < freeze_prototypes_steps_ ? prototypes_->weight.detach() : prototypes_->weight;
  const Var scores = linear(z, prototypes);  // (V B, K)

  std::vector<Var> log_predictions;  // log softmax(s_v / T), (B, K) per crop
  for (size_t v = 0; v < crops; ++v)
    log_predictions.push_back(log_softmax(slice(scores, 0, static_cast<int64_t>(v) * batch, static_cast<int64_t>(v + 1) * batch) / temperature_, 1));
  Var loss;
  Metrics metrics = collapse_metrics(slice(z, 0, 0, batch).value());
  for (int crop = 0; crop < kAssignmentCrops; ++crop) {
    const int64_t begin = crop * batch, end = begin + batch;
    const Tensor q = codes(crop, slice(scores, 0, begin, end).value(), slice(z, 0, begin, end).value());
    if (crop == 0) metrics.emplace_back("prototypes_used", prototypes_used(q));
    Var subloss;
    for (size_t v = 0; v < crops; ++v) {
      if (static_cast<int>(v) == crop) continue;
      const Var term = neg(mean(sum(mul(Var(q), log_predictions[v]), 1)));
      subloss = subloss.defined() ? subloss + term : term;
    }
    const Var part = subloss / static_cast<float>(crops - 1);
    loss = loss.defined() ? loss + part : part;
  }
  return {loss / static_cast<float>(kAssignmentCrops), std::move(metrics)};
}

}  // namespace sslflow::swav
