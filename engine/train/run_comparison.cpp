#include "train/run_comparison.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "sslflow/error.hpp"

namespace sslflow::engine {

namespace {

// The plugins of the graph's nodes of `kind` (teachers left out), joined by " + ".
std::string plugins_of_kind(const PipelineGraph& graph, const std::string& kind) {
  std::string joined;
  for (const NodeSpec& node : graph.nodes())
    if (node.plugin.kind == kind && !node.is_teacher()) joined += (joined.empty() ? "" : " + ") + node.plugin.name;
  return joined.empty() ? "-" : joined;
}

std::optional<double> final_metric(const Metrics& metrics, const std::string& key) {
  for (const auto& [k, v] : metrics)
    if (k == key) return v;
  return std::nullopt;
}

// Sorts first: finished runs, then by linear probe, then by kNN, each present before absent.
auto sort_key(const RunComparison& row) {
  const bool finished = row.status == "ok";
  return std::make_tuple(!finished, !row.linear_probe, -row.linear_probe.value_or(0.0), !row.knn,
                         -row.knn.value_or(0.0));
}

std::string format(const char* pattern, double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, pattern, value);
  return buf;
}

std::string percent(const std::optional<double>& accuracy) {
  return accuracy ? format("%.2f%%", 100.0 * *accuracy) : "-";
}

std::string fraction(const std::optional<double>& accuracy) { return accuracy ? format("%.4f", *accuracy) : ""; }

std::string count(int64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string budget(const RunComparison& row) {
  return count(row.epochs, "epoch") + ", " + count(row.steps, "step") + " of " + std::to_string(row.batch_size);
}

// A markdown cell: a '|' would end it, a newline the row.
std::string cell(std::string text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out;
}

// An RFC 4180 field: quoted, inner quotes doubled, when it holds a comma, quote or newline.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  if (!f) throw Error("cannot write the batch's summary " + path.string());
}

}  // namespace

std::vector<RunComparison> compare_runs(const std::vector<ValidatedPipeline>& pipelines,
                                        const std::vector<RunSummary>& runs) {
  std::vector<RunComparison> rows;
  for (size_t i = 0; i < runs.size() && i < pipelines.size(); ++i) {
    const ValidatedPipeline& p = pipelines[i];
    const RunSummary& run = runs[i];
    RunComparison row;
    row.pipeline = p.name;
    row.method = plugins_of_kind(*p.graph, "method");
    row.encoder = plugins_of_kind(*p.graph, "encoder");
    row.epochs = p.train.epochs;
    row.steps = static_cast<int64_t>(run.result.losses.size());
    row.batch_size = p.train.batch_size;
    row.knn = final_metric(run.result.final_metrics, "knn.top1");
    row.linear_probe = final_metric(run.result.final_metrics, "linear_probe.top1");
    row.seconds = run.result.seconds;
    row.peak_rss_mib = run.result.peak_rss_mib;
    row.status = run.ok ? "ok" : run.interrupted ? "interrupted" : "failed: " + run.error;
    row.run_dir = run.result.run_dir;
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const RunComparison& a, const RunComparison& b) { return sort_key(a) < sort_key(b); });
  return rows;
}

std::string comparison_markdown(const std::vector<RunComparison>& rows) {
  std::string md =
      "| rank | pipeline | method | encoder | budget | kNN top-1 | linear probe top-1 | wall time | peak memory | "
      "status | run directory |\n|---:|---|---|---|---|---:|---:|---:|---:|---|---|\n";
  int rank = 0;
  for (const RunComparison& r : rows) {
    md += "| " + std::to_string(++rank) + " | " + cell(r.pipeline) + " | " + cell(r.method) + " | " +
          cell(r.encoder) + " | " + budget(r) + " | " + percent(r.knn) + " | " + percent(r.linear_probe) + " | " +
          format("%.1f s", r.seconds) + " | " + (r.status == "ok" ? format("%.0f MiB", r.peak_rss_mib) : "-") +
          " | " + cell(r.status) + " | " + cell(r.run_dir) + " |\n";
  }
  return md;
}

std::string comparison_csv(const std::vector<RunComparison>& rows) {
  std::string csv =
      "rank,pipeline,method,encoder,epochs,steps,batch_size,knn_top1,linear_probe_top1,seconds,peak_rss_mib,status,"
      "run_dir\n";
  int rank = 0;
  for (const RunComparison& r : rows) {
    const std::string fields[] = {std::to_string(++rank),
                                  r.pipeline,
                                  r.method,
                                  r.encoder,
                                  std::to_string(r.epochs),
                                  std::to_string(r.steps),
                                  std::to_string(r.batch_size),
                                  fraction(r.knn),
                                  fraction(r.linear_probe),
                                  format("%.1f", r.seconds),
                                  r.status == "ok" ? format("%.0f", r.peak_rss_mib) : "",
                                  r.status,
                                  r.run_dir};
    std::string line;
    for (const std::string& field : fields) line += (line.empty() ? "" : ",") + csv_field(field);
    csv += line + "\n";
  }
  return csv;
}

void write_comparison(const std::string& dir, const std::vector<RunComparison>& rows) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw Error("cannot create the batch's summary directory " + dir + ": " + error.message());
  write_file(std::filesystem::path(dir) / "summary.md", comparison_markdown(rows));
  write_file(std::filesystem::path(dir) / "summary.csv", comparison_csv(rows));
}

}  // namespace sslflow::engine
