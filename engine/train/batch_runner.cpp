#include "train/batch_runner.hpp"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <sstream>

#include <tbb/flow_graph.h>

#include "exec/error_context.hpp"
#include "sslflow/error.hpp"

namespace sslflow::engine {

namespace {

std::string timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

// A name usable as one path component.
std::string path_safe(const std::string& name) {
  std::string s;
  for (char c : name) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  return s.empty() ? "pipeline" : s;
}

std::string run_dir_for(const ValidatedPipeline& p, const BatchOptions& o, bool batch) {
  std::filesystem::path dir;
  if (!o.out_dir.empty())
    dir = batch ? std::filesystem::path(o.out_dir) / path_safe(p.name) : std::filesystem::path(o.out_dir);
  else
    dir = std::filesystem::path(o.out_root) / path_safe(p.name) / timestamp();
  if (o.resume) return dir.string();
  if (std::filesystem::exists(dir / "model.safetensors"))
    throw Error("run directory " + dir.string() + " already holds a finished run; choose another --out");
  std::filesystem::create_directories(dir);
  return dir.string();
}

// A line-buffered log shared by concurrent runs: whole lines, each prefixed by its run.
class PrefixedLog : public std::stringbuf {
 public:
  PrefixedLog(std::ostream* out, std::mutex* mutex, std::string prefix)
      : out_(out), mutex_(mutex), prefix_(std::move(prefix)) {}
  int sync() override {
    std::string text = str();
    str("");
    std::lock_guard lock(*mutex_);
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
      *out_ << prefix_ << text.substr(start, nl - start + 1);
    if (start < text.size()) *out_ << prefix_ << text.substr(start) << '\n';
    out_->flush();
    return 0;
  }

 private:
  std::ostream* out_;
  std::mutex* mutex_;
  std::string prefix_;
};

}  // namespace

std::vector<RunSummary> run_batch(const std::vector<ValidatedPipeline>& pipelines, const BatchOptions& options) {
  std::vector<RunSummary> runs(pipelines.size());
  const bool batch = pipelines.size() > 1;
  std::mutex log_mutex;
  auto run_one = [&](size_t i) {
    const ValidatedPipeline& p = pipelines[i];
    RunSummary& summary = runs[i];
    summary.name = p.name;
    PrefixedLog buffer(options.log, &log_mutex, "[" + p.name + "] ");
    std::ostream prefixed(&buffer);
    RunOptions run;
    run.log = options.log ? (batch ? &prefixed : options.log) : nullptr;
    run.progress_bar = options.progress_bar && !batch;
    run.resume = options.resume;
    run.debug_nonfinite = options.debug_nonfinite;
    run.command_line = options.command_line;
    run.stop = options.stop;
    const auto started = std::chrono::steady_clock::now();
    try {
      run.run_dir = run_dir_for(p, options, batch);
      summary.result = train(p, run);
      summary.ok = true;
    } catch (const Interrupted& e) {
      summary.interrupted = true;
      summary.error = e.what();
    } catch (...) {
      summary.error = current_exception_message();
      if (run.log) *run.log << "failed: " << summary.error << std::endl;
    }
    if (!summary.ok) {
      summary.result.run_dir = run.run_dir;
      summary.result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    }
  };

  tbb::flow::graph graph;
  tbb::flow::function_node<size_t> worker(graph, static_cast<size_t>(std::max(1, options.jobs)),
                                          [&](size_t i) { run_one(i); });
  for (size_t i = 0; i < pipelines.size(); ++i) worker.try_put(i);
  graph.wait_for_all();
  return runs;
}

std::string summary_table(const std::vector<RunSummary>& runs) {
  std::ostringstream os;
  os << "| pipeline | status | final metrics | time | peak memory | run directory |\n|---|---|---|---|---|---|\n";
  for (const RunSummary& r : runs) {
    std::string metrics;
    for (const auto& [k, v] : r.result.final_metrics) {
      const bool bookkeeping = k == "step" || k == "epoch" || k == "lr" || k == "grad_norm" ||
                               k == "images_per_s" || k == "step_ms";
      const bool baseline = k.find(".raw_pixels.") != std::string::npos || k.find(".untrained.") != std::string::npos;
      if (bookkeeping || baseline) continue;  // baselines have a table of their own
      char buf[96];
      std::snprintf(buf, sizeof buf, "%s%s %.4g", metrics.empty() ? "" : ", ", k.c_str(), v);
      metrics += buf;
    }
    char time[32];
    std::snprintf(time, sizeof time, "%.1f s", r.result.seconds);
    const std::string memory = r.ok ? std::to_string(std::lround(r.result.peak_rss_mib)) + " MiB" : "-";
    const std::string status = r.ok ? "ok" : r.interrupted ? "interrupted" : "FAILED: " + r.error;
    os << "| " << r.name << " | " << status << " | " << metrics << " | " << time << " | " << memory << " | "
       << r.result.run_dir << " |\n";
  }
  return os.str();
}

}  // namespace sslflow::engine
