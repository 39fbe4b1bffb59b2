#include "train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <fstream>
#include <optional>

#include <tbb/task_group.h>

#include "exec/batch_loader.hpp"
#include "exec/nodes.hpp"
#include "exec/plugin_factory.hpp"
#include "exec/step_executor.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/evaluator.hpp"
#include "sslflow/interfaces/optimizer.hpp"
#include "sslflow/io/safetensors.hpp"
#include "sslflow/stop.hpp"
#include "train/checkpoint.hpp"
#include "train/sha256.hpp"
#include "train/evaluations.hpp"
#include "train/lr_schedule.hpp"
#include "train/metrics_log.hpp"
#include "train/peak_memory.hpp"
#include "train/progress.hpp"

namespace sslflow::engine {

namespace {

// The SHA-256 of the resolved config, without its leading comment (which names the file it
// was read from), so that the config a resume reads back from the run directory matches.
std::string config_digest(const ValidatedPipeline& pipeline) {
  std::string_view yaml = pipeline.resolved_yaml;
  while (yaml.starts_with('#')) yaml.remove_prefix(std::min(yaml.size(), yaml.find('\n') + 1));
  return sha256_of_text(yaml);
}

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

std::string metrics_text(const Metrics& metrics) {
  std::string text;
  for (const auto& [k, v] : metrics) text += (text.empty() ? "" : "  ") + k + " " + std::to_string(v);
  return text;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  if (!f) throw Error("cannot write " + path);
}

}  // namespace

Interrupted::Interrupted(const std::string& run_dir, int64_t steps)
    : Error(steps == 0 ? "interrupted before training began; continue with: sslflow run --resume " + run_dir
                       : "interrupted after step " + std::to_string(steps) + "; a checkpoint is in " + run_dir +
                             "/checkpoints; continue with: sslflow run --resume " + run_dir) {}

RunResult train(const ValidatedPipeline& pipeline, const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (!options.run_dir.empty() && !options.resume)
    write_text(options.run_dir + "/config.yaml",
               (options.command_line.empty() ? "" : "# command: " + options.command_line + "\n") + pipeline.resolved_yaml);
  RunResult result;
  result.run_dir = options.run_dir;
  auto stop_requested = [&] { return options.stop && options.stop->load(); };
  int64_t first_step = 0;
  // Runs a phase before the first step; a stop requested meanwhile (or a plugin's
  // StopRequested) ends the run, at the steps of the checkpoint it resumed from.
  auto before_training = [&](auto&& phase) {
    try {
      phase();
    } catch (const StopRequested&) {
      throw Interrupted(options.run_dir, first_step);
    }
    if (stop_requested()) throw Interrupted(options.run_dir, first_step);
  };

  std::shared_ptr<Dataset> data;
  before_training([&] { data = open_dataset(pipeline.data); });
  LiveNodes nodes(*pipeline.graph);
  before_training([&] { nodes.setup(data->sample_shape(), pipeline.seed); });
  auto optimizer = build<Optimizer>(pipeline.train.optimizer);
  const auto params = nodes.trainable_parameters();
  optimizer->setup(params);

  const TrainSpec& t = pipeline.train;
  BatchLoader loader(*data, nodes, t.batch_size, pipeline.seed);
  const int64_t per_epoch = loader.steps_per_epoch();
  const int64_t total = t.max_steps > 0 ? std::min(t.max_steps, t.epochs * per_epoch) : t.epochs * per_epoch;
  const LrSchedule lr{t.lr_schedule, optimizer->base_lr(), std::llround(t.warmup_epochs * per_epoch), total,
                      t.final_lr_fraction};
  StepExecutor executor(nodes, options.debug_nonfinite);
  Evaluations evaluations(pipeline, nodes, *data);

  std::optional<Checkpoint> c;
  if (options.resume) c = latest_checkpoint(options.run_dir, total, options.log);
  if (options.resume && !c && options.log)
    *options.log << "no checkpoint yet in " << options.run_dir << "/checkpoints: starting from the first step\n";
  if (c) {
    if (c->config_sha256 != config_digest(pipeline))
      throw Error(options.run_dir + "/config.yaml: differs from the configuration " + c->dir +
                  " was written under (their SHA-256 differ); a resume continues a run as it was configured, "
                  "start a new run to change it");
    nodes.load_state_dict(c->model);
    optimizer->load_state(c->optimizer);
    first_step = c->step;
    if (options.log) *options.log << "resuming from " << c->dir << " (step " << first_step << ")\n";
  }
  auto save_checkpoint = [&](int64_t steps_done, bool evaluated) {
    if (options.run_dir.empty()) return;
    write_checkpoint(options.run_dir, {"", steps_done, nodes.state_dict(), optimizer->state(), pipeline.name, pipeline.seed,
                      config_digest(pipeline), evaluated},
                     static_cast<int>(t.keep_checkpoints));
  };
  MetricsLog log(options.run_dir, c ? first_step : -1);
  Progress progress(options.log, options.progress_bar, total, t.batch_size, t.log_every_steps);

  if (!c) {
    Metrics baselines;
    before_training([&] { baselines = evaluations.baselines(); });
    if (!baselines.empty()) {
      Metrics row{{"step", 0.0}, {"epoch", 0.0}};
      row.insert(row.end(), baselines.begin(), baselines.end());
      log.append(row);
      result.final_metrics.insert(result.final_metrics.end(), baselines.begin(), baselines.end());
      progress.message("before training: " + metrics_text(baselines));
    }
  }

  // The evaluations due after `epoch`, logged; at the end, also kept as final metrics.
  auto evaluate_after = [&](int64_t epoch, bool at_end) {
    Metrics evals = evaluations.after_epoch(epoch, at_end);
    if (evals.empty()) return;
    Metrics row{{"step", double(std::min(total, (epoch + 1) * per_epoch))}, {"epoch", double(epoch + 1)}};
    row.insert(row.end(), evals.begin(), evals.end());
    log.append(row);
    progress.message("epoch " + std::to_string(epoch + 1) + ": " + metrics_text(evals));
    if (at_end) result.final_metrics.insert(result.final_metrics.end(), evals.begin(), evals.end());
  };
  // A run stopped during the evaluations after a step resumes with them; one resumed at its
  // end evaluates again for its final metrics.
  if (c && (!c->evaluated || first_step == total))
    before_training([&] { evaluate_after((first_step - 1) / per_epoch, first_step == total); });

  Batch next = loader.load(first_step / per_epoch, first_step % per_epoch);
  tbb::task_group prefetch;  // declared after `next`: destroyed (and waited for) first
  Metrics last_row;
  for (int64_t step = first_step; step < total; ++step) {
    const int64_t epoch = step / per_epoch;
    Batch batch = std::move(next);
    if (step + 1 < total) prefetch.run([&, step] { next = loader.load((step + 1) / per_epoch, (step + 1) % per_epoch); });

    for (const auto& [_, v] : params) v.zero_grad();
    ForwardResult forward = executor.forward(batch, step);
    const double loss = forward.loss.value().item();
    if (!std::isfinite(loss))
      throw Error("step " + std::to_string(step) + ": the sum of the methods' losses is not finite (" +
                  std::to_string(loss) + ")");
    try {
      forward.loss.backward({.stop_at_nonfinite = options.debug_nonfinite});
    } catch (const NonFiniteGradient& e) {
      throw Error("step " + std::to_string(step) + ": " + e.what());
    }
    const double grad_norm = clip_gradients(params, t.clip_grad_norm, step);
    const double rate = lr.at(step);
    optimizer->step(rate);
    for (size_t i = 0; i < nodes.size(); ++i) nodes.at(i).end_step(step, total, forward.metrics);
    prefetch.wait();

    result.losses.push_back(loss);
    progress.step(step, epoch, loss);
    last_row = {{"step", double(step + 1)}, {"epoch", double(epoch + 1)}, {"lr", rate}, {"loss", loss},
                {"grad_norm", grad_norm}, {"images_per_s", progress.images_per_second()},
                {"step_ms", 1000.0 * progress.last_step_seconds()}};
    last_row.insert(last_row.end(), forward.metrics.begin(), forward.metrics.end());
    if ((step + 1) % t.log_every_steps == 0 || step + 1 == total) log.append(last_row);

    const bool epoch_end = (step + 1) % per_epoch == 0 || step + 1 == total;
    bool stopped_evaluating = false;
    if (epoch_end) try {
        evaluate_after(epoch, step + 1 == total);
      } catch (const StopRequested&) {
        stopped_evaluating = true;
      }
    const bool by_steps = t.checkpoint_every_steps > 0 && (step + 1) % t.checkpoint_every_steps == 0;
    const bool by_epochs = epoch_end && t.checkpoint_every_epochs > 0 && (epoch + 1) % t.checkpoint_every_epochs == 0;
    if (options.on_step) options.on_step(step + 1);
    const bool stop = stopped_evaluating || (stop_requested() && step + 1 < total);
    if (by_steps || by_epochs || stop) save_checkpoint(step + 1, !stopped_evaluating);
    if (stop) {
      log.close();
      throw Interrupted(options.run_dir, step + 1);
    }
  }
  result.final_metrics.insert(result.final_metrics.begin(), last_row.begin(), last_row.end());
  if (!options.run_dir.empty()) io::write_safetensors(options.run_dir + "/model.safetensors", nodes.state_dict());
  result.peak_rss_mib = peak_resident_mib();
  log.append({{"step", double(total)}, {"epoch", std::ceil(double(total) / double(per_epoch))},
              {"peak_rss_mib", result.peak_rss_mib}});
  log.close();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace sslflow::engine
