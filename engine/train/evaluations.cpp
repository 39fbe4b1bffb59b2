#include "train/evaluations.hpp"

#include <cstdio>

#include "exec/error_context.hpp"
#include "exec/plugin_factory.hpp"
#include "sslflow/error.hpp"
#include "train/features.hpp"

namespace sslflow::engine {

namespace {

std::string limits_key(const EvalSpec& e) {
  return std::to_string(e.max_train_samples) + "/" + std::to_string(e.max_test_samples);
}

}  // namespace

Evaluations::Evaluations(const ValidatedPipeline& pipeline, LiveNodes& nodes, const Dataset& data)
    : pipeline_(pipeline), nodes_(nodes), data_(data) {
  for (const EvalSpec& e : pipeline.evals) evaluators_.push_back(build<Evaluator>(e.evaluator));
}

const FeatureSplits& Evaluations::features_of(const EvalSpec& e) {
  const std::string key = e.node + "@" + limits_key(e);
  if (!cached_ || cached_->key != key) {
    ExtractionProgress counted;
    if (progress_) {
      progress_->phase("encoding the images with node '" + e.node + "'");
      counted = [this](int64_t done, int64_t total) { progress_->count(done, total); };
    }
    cached_ = Cached{key, extract_splits(nodes_.encoder(e.node), data_, e.max_train_samples, e.max_test_samples,
                                         kFeatureBatch, counted)};
  }
  return cached_->features;
}

const FeatureSplits& Evaluations::pixels_of(const EvalSpec& e) {
  const std::string key = "pixels@" + limits_key(e);
  if (!cached_ || cached_->key != key) {
    if (progress_) progress_->phase("reading the raw pixels");
    cached_ = Cached{key, pixel_splits(data_, e.max_train_samples, e.max_test_samples)};
  }
  return cached_->features;
}

Metrics Evaluations::evaluate(size_t k, const FeatureSplits& features, const std::string& what) {
  const PluginSpec& evaluator = pipeline_.evals[k].evaluator;
  if (progress_) progress_->phase("evaluating " + evaluator.name + " on " + what);
  return with_context(plugin_context(evaluator) + ", evaluating", [&] { return evaluators_[k]->evaluate(features, pipeline_.seed); });
}

Metrics Evaluations::evaluate_if(const std::function<bool(const EvalSpec&)>& due) {
  Metrics out;
  for (size_t k = 0; k < pipeline_.evals.size(); ++k) {
    const EvalSpec& e = pipeline_.evals[k];
    if (!due(e)) continue;
    for (const auto& [name, value] : evaluate(k, features_of(e), "node '" + e.node + "'"))
      out.emplace_back(e.evaluator.name + "." + name, value);
  }
  cached_.reset();  // the encoder changes before the next evaluation
  return out;
}

Metrics Evaluations::after_epoch(int64_t epoch, bool final) {
  return evaluate_if([&](const EvalSpec& e) {
    const bool periodic = e.every_epochs > 0 && (epoch + 1) % e.every_epochs == 0;
    return periodic || (final && e.at_end);
  });
}

Metrics Evaluations::all() {
  return evaluate_if([](const EvalSpec&) { return true; });
}

Metrics Evaluations::baselines() {
  Metrics out;
  for (size_t k = 0; k < pipeline_.evals.size(); ++k) {
    const EvalSpec& e = pipeline_.evals[k];
    if (!e.baselines) continue;
    for (const auto& [name, value] : evaluate(k, pixels_of(e), "the raw pixels"))
      out.emplace_back(e.evaluator.name + ".raw_pixels." + name, value);
  }
  for (size_t k = 0; k < pipeline_.evals.size(); ++k) {
    const EvalSpec& e = pipeline_.evals[k];
    if (!e.baselines) continue;
    for (const auto& [name, value] : evaluate(k, features_of(e), "the untrained node '" + e.node + "'"))
      out.emplace_back(e.evaluator.name + ".untrained." + name, value);
  }
  cached_.reset();
  return out;
}

std::string representation_table(const Metrics& final_metrics) {
  std::vector<std::string> evaluators;
  for (const auto& [key, _] : final_metrics) {
    const auto dot = key.find(".raw_pixels.top1");
    if (dot != std::string::npos && dot + 16 == key.size()) evaluators.push_back(key.substr(0, dot));
  }
  if (evaluators.empty()) return "";
  auto find = [&](const std::string& key) -> std::string {
    for (const auto& [k, v] : final_metrics)
      if (k == key) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * v);
        return buf;
      }
    return "-";
  };
  std::string table = "| representation |";
  std::string rule = "|---|";
  for (const auto& e : evaluators) {
    table += " " + e + " top-1 |";
    rule += "---|";
  }
  table += "\n" + rule + "\n";
  const std::pair<const char*, const char*> rows[] = {
      {"raw pixels", ".raw_pixels.top1"}, {"untrained encoder", ".untrained.top1"}, {"trained encoder", ".top1"}};
  for (const auto& [label, suffix] : rows) {
    table += std::string("| ") + label + " |";
    for (const auto& e : evaluators) table += " " + find(e + suffix) + " |";
    table += "\n";
  }
  return table;
}

}  // namespace sslflow::engine
