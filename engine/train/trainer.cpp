#include "train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <fstream>
#include <optional>

#include <tbb/task_group.h>

#include "sslflow/error.hpp"
#include "sslflow/io/safetensors.hpp"
#include "sslflow/stop.hpp"
#include "train/checkpoint.hpp"
#include "train/divergence_watch.hpp"
#include "train/sha256.hpp"
#include "train/metrics_log.hpp"
#include "train/peak_memory.hpp"
#include "train/progress.hpp"
#include "train/training_run.hpp"

namespace sslflow::engine {

namespace {

// The SHA-256 of the resolved config, without its leading comment (which names the file it
// was read from), so that the config a resume reads back from the run directory matches.
std::string config_digest(const ValidatedPipeline& pipeline) {
  std::string_view yaml = pipeline.resolved_yaml;
  while (yaml.starts_with('#')) yaml.remove_prefix(std::min(yaml.size(), yaml.find('\n') + 1));
  return sha256_of_text(yaml);
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

// With RunOptions::resume: the run's state from the newest usable checkpoint in its
// directory, loaded into `run`; none when it has written none yet.
std::optional<Checkpoint> resume(TrainingRun& run, const RunOptions& options) {
  std::optional<Checkpoint> c = latest_checkpoint(options.run_dir, run.schedule().total(), options.log);
  if (!c) {
    if (options.log) *options.log << "no checkpoint yet in " << options.run_dir << "/checkpoints: starting from the first step\n";
    return c;
  }
  if (c->config_sha256 != config_digest(run.pipeline()))
    throw Error(options.run_dir + "/config.yaml: differs from the configuration " + c->dir +
                " was written under (their SHA-256 differ); a resume continues a run as it was configured, "
                "start a new run to change it");
  run.nodes().load_state_dict(c->model);
  run.optimizer().load_state(c->optimizer);
  if (options.log) *options.log << "resuming from " << c->dir << " (step " << c->step << ")\n";
  return c;
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
  Progress progress(options.log, options.progress_bar, pipeline.train.batch_size, pipeline.train.log_every_steps);
  // Runs a phase before the first step, shown as it begins; a stop requested meanwhile (or
  // a plugin's StopRequested) ends the run, at the steps of the checkpoint it resumed from.
  auto before_training = [&](const std::string& what, const std::function<void()>& phase) {
    if (!what.empty()) progress.phase(what);
    try {
      phase();
    } catch (const StopRequested&) {
      progress.end_phase();
      throw Interrupted(options.run_dir, first_step);
    }
    progress.end_phase();
    if (stop_requested()) throw Interrupted(options.run_dir, first_step);
  };

  TrainingRun run(pipeline, options.debug_nonfinite, before_training);
  const TrainSpec& t = pipeline.train;
  const StepSchedule& schedule = run.schedule();
  const int64_t total = schedule.total();
  Evaluations& evaluations = run.evaluations();

  const std::optional<Checkpoint> c = options.resume ? resume(run, options) : std::nullopt;
  if (c) first_step = c->step;
  auto save_checkpoint = [&](int64_t steps_done, bool evaluated) {
    if (options.run_dir.empty()) return;
    write_checkpoint(options.run_dir, {"", steps_done, run.nodes().state_dict(), run.optimizer().state(), pipeline.name,
                                       pipeline.seed, config_digest(pipeline), evaluated},
                     static_cast<int>(t.keep_checkpoints));
  };
  MetricsLog log(options.run_dir, c ? first_step : -1);
  progress.plan(total, schedule.steps_per_epoch());
  evaluations.show_progress(&progress);

  if (!c) {
    Metrics baselines;
    before_training("", [&] { baselines = evaluations.baselines(); });
    if (!baselines.empty()) {
      Metrics row{{"step", 0.0}, {"epoch", 0.0}};
      row.insert(row.end(), baselines.begin(), baselines.end());
      log.append(row_kind::kBaseline, row);
      result.final_metrics.insert(result.final_metrics.end(), baselines.begin(), baselines.end());
      progress.message("before training: " + metrics_text(baselines));
    }
  }

  // The evaluations due after `epoch`, logged; at the end, also kept as final metrics.
  auto evaluate_after = [&](int64_t epoch, bool at_end) {
    Metrics evals = evaluations.after_epoch(epoch, at_end);
    if (evals.empty()) return;
    Metrics row{{"step", double(schedule.steps_after_epoch(epoch))}, {"epoch", double(epoch + 1)}};
    row.insert(row.end(), evals.begin(), evals.end());
    log.append(row_kind::kEval, row);
    progress.message("epoch " + std::to_string(epoch + 1) + ": " + metrics_text(evals));
    if (at_end) result.final_metrics.insert(result.final_metrics.end(), evals.begin(), evals.end());
  };
  // A run stopped during the evaluations after a step resumes with them; one resumed at its
  // end evaluates again for its final metrics.
  if (c && (!c->evaluated || first_step == total))
    before_training("", [&] { evaluate_after(schedule.epoch_of(first_step - 1), first_step == total); });

  Batch next = run.load_batch(first_step);
  tbb::task_group prefetch;  // declared after `next`: destroyed (and waited for) first
  Metrics last_row;
  DivergenceWatch divergence;
  for (int64_t step = first_step; step < total; ++step) {
    const int64_t epoch = schedule.epoch_of(step);
    const auto step_began = std::chrono::steady_clock::now();
    Batch batch = std::move(next);
    if (!schedule.is_last(step)) prefetch.run([&, step] { next = run.load_batch(step + 1); });
    const StepResult done = run.step(batch, step);
    prefetch.wait();

    result.losses.push_back(done.loss);
    progress.step(step, done.loss, std::chrono::duration<double>(std::chrono::steady_clock::now() - step_began).count());
    if (const auto warning = divergence.observe(step, done.loss, done.lr)) progress.message(*warning);
    last_row = {{"step", double(step + 1)}, {"epoch", double(epoch + 1)}, {"lr", done.lr}, {"loss", done.loss},
                {"grad_norm", done.grad_norm}, {"images_per_s", progress.images_per_second()},
                {"step_ms", 1000.0 * progress.last_step_seconds()}};
    last_row.insert(last_row.end(), done.metrics.begin(), done.metrics.end());
    if (schedule.logs(step)) log.append(row_kind::kTrain, last_row);

    bool stopped_evaluating = false;
    if (schedule.ends_epoch(step)) try {
        evaluate_after(epoch, schedule.is_last(step));
      } catch (const StopRequested&) {
        stopped_evaluating = true;
      }
    if (options.on_step) options.on_step(step + 1);
    const bool stop = stopped_evaluating || (stop_requested() && !schedule.is_last(step));
    if (schedule.checkpoints(step) || stop) save_checkpoint(step + 1, !stopped_evaluating);
    if (stop) {
      log.close();
      throw Interrupted(options.run_dir, step + 1);
    }
  }
  result.final_metrics.insert(result.final_metrics.begin(), last_row.begin(), last_row.end());
  if (!options.run_dir.empty()) io::write_safetensors(options.run_dir + "/model.safetensors", run.nodes().state_dict());
  result.peak_rss_mib = peak_resident_mib();
  log.append(row_kind::kEnd, {{"step", double(total)}, {"epoch", std::ceil(double(total) / double(schedule.steps_per_epoch()))},
              {"peak_rss_mib", result.peak_rss_mib}});
  log.close();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace sslflow::engine
