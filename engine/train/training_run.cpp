#include "train/training_run.hpp"

#include <cmath>

#include "exec/plugin_factory.hpp"
#include "sslflow/error.hpp"

namespace sslflow::engine {

namespace {

// Rescales gradients so that their global L2 norm is at most max_norm; returns the norm
// before clipping. Throws naming the first parameter with a non-finite gradient.
double clip_gradients(const std::vector<std::pair<std::string, Var>>& params, double max_norm, int64_t step) {
  double sum_sq = 0.0;
  for (const auto& [name, v] : params) {
    Tensor g = v.grad();
    if (!g.defined()) continue;
    double s = 0.0;
    for (float x : g.values()) s += double(x) * x;
    if (!std::isfinite(s))
      throw Error("step " + std::to_string(step) + ": the gradient of '" + name +
                  "' is not finite; run with --debug-nonfinite to name the op and node where it first appears");
    sum_sq += s;
  }
  const double norm = std::sqrt(sum_sq);
  if (max_norm > 0.0 && norm > max_norm) {
    const float scale = static_cast<float>(max_norm / (norm + 1e-6));
    for (const auto& [_, v] : params)
      if (Tensor g = v.grad(); g.defined())
        for (float& x : g.values()) x *= scale;
  }
  return norm;
}

}  // namespace

TrainingRun::TrainingRun(const ValidatedPipeline& pipeline, bool debug_nonfinite, const Phase& phase)
    : pipeline_(pipeline), debug_nonfinite_(debug_nonfinite) {
  auto run_phase = [&](const std::string& what, const std::function<void()>& action) {
    phase ? phase(what, action) : action();
  };
  run_phase("opening the data (" + pipeline.data.name + ")", [&] { data_ = open_dataset(pipeline.data); });
  nodes_ = std::make_unique<LiveNodes>(*pipeline.graph);
  run_phase("setting the nodes up", [&] {
    nodes_->setup(data_->sample_shape(), pipeline.seed,
                  BatchLoader::epoch_steps(data_->size(Split::Train), pipeline.train.batch_size));
  });
  parameters_ = nodes_->trainable_parameters();
  optimizer_ = build<Optimizer>(pipeline.train.optimizer);
  optimizer_->setup(parameters_);

  const TrainSpec& t = pipeline.train;
  loader_ = std::make_unique<BatchLoader>(*data_, *nodes_, t.batch_size, pipeline.seed);
  schedule_ = std::make_unique<StepSchedule>(t, loader_->steps_per_epoch());
  lr_ = LrSchedule{t.lr_schedule, optimizer_->base_lr(), std::llround(t.warmup_epochs * schedule_->steps_per_epoch()),
                   schedule_->total(), t.final_lr_fraction};
  executor_ = std::make_unique<StepExecutor>(*nodes_, debug_nonfinite);
  evaluations_ = std::make_unique<Evaluations>(pipeline, *nodes_, *data_);
}

Batch TrainingRun::load_batch(int64_t step) const {
  const int64_t per_epoch = schedule_->steps_per_epoch();
  return loader_->load(step / per_epoch, step % per_epoch);
}

StepResult TrainingRun::step(const Batch& batch, int64_t step) {
  for (const auto& [_, v] : parameters_) v.zero_grad();
  for (size_t i = 0; i < nodes_->size(); ++i) nodes_->at(i).begin_step(step, schedule_->total());
  ForwardResult forward = executor_->forward(batch, step);
  const double loss = forward.loss.value().item();
  if (!std::isfinite(loss))
    throw Error("step " + std::to_string(step) + ": the sum of the methods' losses is not finite (" +
                std::to_string(loss) + ")");
  try {
    forward.loss.backward({.stop_at_nonfinite = debug_nonfinite_});
  } catch (const NonFiniteGradient& e) {
    throw Error("step " + std::to_string(step) + ": " + e.what());
  }
  StepResult result{loss, clip_gradients(parameters_, pipeline_.train.clip_grad_norm, step), lr_.at(step), {}};
  optimizer_->step(result.lr);
  for (size_t i = 0; i < nodes_->size(); ++i) nodes_->at(i).end_step(step, schedule_->total(), forward.metrics);
  result.metrics = std::move(forward.metrics);
  return result;
}

}  // namespace sslflow::engine
