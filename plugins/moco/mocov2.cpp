#include "mocov2.hpp"

#include <cmath>
#include <vector>

#include "sslflow/collapse_metrics.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::moco {

namespace {

constexpr const char* kName = "mocov2";
constexpr const char* kQuery = "query";
constexpr const char* kKey = "key";

// The features' width, from a (B, F) or per-sample (F) shape of `port`.
int64_t feature_width(const Shape& shape, const char* port, int batch_dims) {
  if (shape.rank() != 1 + batch_dims)
    throw ShapeError(std::string(kName) + ": input '" + port + "' expects features (" +
                     (batch_dims ? "B, F" : "F") + "), got " + shape.str());
  return shape[batch_dims];
}

// The fraction of rows whose first logit (the positive) is above all the others.
double positive_rank1(const Tensor& logits) {
  const int64_t rows = logits.shape()[0], columns = logits.shape()[1];
  const float* l = logits.data();
  int64_t first = 0;
  for (int64_t r = 0; r < rows; ++r) {
    bool top = true;
    for (int64_t c = 1; c < columns && top; ++c) top = l[r * columns + c] < l[r * columns];
    first += top;
  }
  return rows > 0 ? static_cast<double>(first) / static_cast<double>(rows) : 0.0;
}

}  // namespace

Var queue_logits(const Var& q, const Var& k, const Tensor& queue) {
  const Var positive = sum(mul(q, k), 1, /*keepdim=*/true);  // (B, 1)
  const Var negative = matmul(q, Var(queue));               // (B, K)
  return concat({positive, negative}, 1);
}

Schema MocoV2::schema() {
  return {
      Option("temperature", 0.2, "softmax temperature T; 0.2 as MoCo v2 (--moco-t 0.2; MoCo v1 0.07)").positive(),
      Option("proj_hidden", 0,
             "width of the head's hidden layer; 0: the features' width, as main_moco.py's --mlp head "
             "(Linear(dim_mlp, dim_mlp) with dim_mlp the encoder's fc width)")
          .min(0),
      Option("proj_dim", 128, "width of the projection, queries and keys; 128 as the official --moco-dim").min(1),
      Option("queue", 65536, "keys kept as negatives, K; 65536 as the official --moco-k").range(1, 16'777'216),
      Option::plugin("schedule", EmaScheduler::kKind, "constant",
                     "momentum of the key projector, as the key encoder's teacher node; the constant 0.999 of "
                     "the official --moco-m"),
  };
}

Signature MocoV2::signature() {
  return {{{kQuery, PortType::Features, "the online encoder's features (B, F) of the query view"},
           {kKey, PortType::Features,
            "the key encoder's features (B, F) of the other view (an EMA teacher node of the online encoder)"}},
          {}};
}

MocoV2::MocoV2(const Params& params)
    : temperature_(static_cast<float>(params.get<double>("temperature"))),
      proj_hidden_(params.get<int64_t>("proj_hidden")),
      proj_dim_(params.get<int64_t>("proj_dim")),
      queue_size_(params.get<int64_t>("queue")),
      schedule_(params.plugin<EmaScheduler>("schedule")),
      key_momentum_(schedule_->momentum(0, 1)) {}

void MocoV2::setup(const InputShapes& shapes, const NodeSetup& context) {
  feature_dim_ = feature_width(shapes.get(kQuery), kQuery, 0);
  if (!(shapes.get(kKey) == shapes.get(kQuery)))
    throw ShapeError(std::string(kName) + ": the key features have shape " + shapes.get(kKey).str() +
                     ", the query features " + shapes.get(kQuery).str() + "; the key encoder must mirror the online one");
  Rng rng = context.init_rng();
  // main_moco.py, --mlp: Sequential(Linear(dim_mlp, dim_mlp), ReLU(), fc), nn.Linear's biases.
  nn::MlpLayout head{{feature_dim_, proj_hidden_ > 0 ? proj_hidden_ : feature_dim_, proj_dim_}, false, false};
  projector_ = register_module("projector", std::make_shared<nn::Mlp>(head, nn::HeadInit::PyTorch, rng));
  Rng overwritten(0, "unused");  // the copy's initial weights are replaced by the projector's
  key_projector_ = register_module(
      "key_projector",
      std::make_shared<EmaCopy>(std::make_shared<nn::Mlp>(head, nn::HeadInit::PyTorch, overwritten), *projector_));

  // builder.py: randn(dim, K), then normalize(dim=0).
  Tensor queue({proj_dim_, queue_size_});
  float* values = queue.data();
  for (int64_t i = 0; i < queue.numel(); ++i) values[i] = rng.normal();
  for (int64_t column = 0; column < queue_size_; ++column) {
    double squares = 0.0;
    for (int64_t d = 0; d < proj_dim_; ++d) squares += double(values[d * queue_size_ + column]) * values[d * queue_size_ + column];
    const float scale = static_cast<float>(1.0 / std::max(std::sqrt(squares), 1e-12));
    for (int64_t d = 0; d < proj_dim_; ++d) values[d * queue_size_ + column] *= scale;
  }
  queue_ = register_buffer("queue", queue);
  queue_ptr_ = register_buffer("queue_ptr", Tensor({1}));
}

StepOutput MocoV2::forward(const MethodInputs& inputs) {
  const Var& x = inputs.get(kQuery).value();
  const Var& t = inputs.get(kKey).value();
  if (feature_width(x.shape(), kQuery, 1) != feature_dim_ || !(t.shape() == x.shape()))
    throw ShapeError(std::string(kName) + ": expected query and key features (B, " + std::to_string(feature_dim_) +
                     "), got " + x.shape().str() + " and " + t.shape().str());

  const Var z = projector_->forward(x);                      // (B, D)
  const Var q = l2_normalize(z, 1);                          // (B, D)
  const Var k = l2_normalize(key_projector_->forward(t), 1);  // (B, D), no gradient
  step_keys_ = k.value();
  Metrics metrics = collapse_metrics(z.value());
  metrics.emplace_back("key_momentum", key_momentum_);
  const Var logits = queue_logits(q, k, queue_);  // (B, 1 + K)
  metrics.emplace_back("positive_rank1", positive_rank1(logits.value()));
  const std::vector<int64_t> positives(static_cast<size_t>(x.dim(0)), 0);
  return {cross_entropy(logits / temperature_, positives), std::move(metrics)};
}

void MocoV2::on_end_step(int64_t step, int64_t total_steps) {
  key_momentum_ = schedule_->momentum(step, total_steps);
  key_projector_->follow(*projector_, key_momentum_);
  // builder.py, _dequeue_and_enqueue: queue[:, ptr:ptr + B] = keys.T; ptr = (ptr + B) % K.
  if (step_keys_.numel() == 0) return;
  const int64_t batch = step_keys_.shape()[0];
  auto ptr = static_cast<int64_t>(queue_ptr_.data()[0]);
  const float* keys = step_keys_.data();
  float* queue = queue_.data();
  for (int64_t b = 0; b < batch; ++b, ptr = (ptr + 1) % queue_size_)
    for (int64_t d = 0; d < proj_dim_; ++d) queue[d * queue_size_ + ptr] = keys[b * proj_dim_ + d];
  queue_ptr_.data()[0] = static_cast<float>(ptr);
  step_keys_ = Tensor();
}

}  // namespace sslflow::moco
