// The comparison of a batch's runs that a researcher would otherwise assemble by hand: one
// row per run with its method, encoder, training budget, kNN and linear-probe test top-1,
// wall time and peak memory, sorted by linear-probe accuracy (then kNN accuracy); runs
// without a linear probe come after those with one, and failed or interrupted runs last.
//
// `sslflow run A.yaml B.yaml ... --summary DIR` writes it as DIR/summary.md (a markdown
// table, accuracies in percent) and DIR/summary.csv (RFC 4180, accuracies as fractions,
// empty where a run has none), and prints the markdown.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "graph/validated_pipeline.hpp"
#include "train/batch_runner.hpp"

namespace sslflow::engine {

struct RunComparison {
  std::string pipeline;  // the pipeline's name
  std::string method;    // the plugins of its method nodes, joined by " + "
  std::string encoder;   // the plugins of its trained (non-teacher) encoder nodes, joined by " + "
  int64_t epochs = 0;
  int64_t steps = 0;     // training steps the run took
  int64_t batch_size = 0;
  std::optional<double> knn;           // the final `knn.top1`
  std::optional<double> linear_probe;  // the final `linear_probe.top1`
  double seconds = 0.0;
  double peak_rss_mib = 0.0;
  std::string status;    // "ok", "interrupted" or "failed: <error>"
  std::string run_dir;
};

// One row per run, runs[i] the result of pipelines[i], in the order above.
std::vector<RunComparison> compare_runs(const std::vector<ValidatedPipeline>& pipelines,
                                        const std::vector<RunSummary>& runs);

std::string comparison_markdown(const std::vector<RunComparison>& rows);
std::string comparison_csv(const std::vector<RunComparison>& rows);

// Writes DIR/summary.md and DIR/summary.csv, creating DIR; throws Error naming the file
// that cannot be written.
void write_comparison(const std::string& dir, const std::vector<RunComparison>& rows);

}  // namespace sslflow::engine
