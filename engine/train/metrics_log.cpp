#include "train/metrics_log.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>

#include <nlohmann/json.hpp>

#include "sslflow/error.hpp"
#include "sslflow/io/atomic_file.hpp"

namespace sslflow::engine {

namespace {

constexpr const char* kKindKey = "kind";

using KindAndValues = std::pair<std::string, Metrics>;

// The rows of an existing metrics.jsonl up to `last_step`.
std::vector<KindAndValues> rows_up_to(const std::string& path, int64_t last_step) {
  std::vector<KindAndValues> kept;
  std::ifstream previous(path);
  for (std::string line; std::getline(previous, line);) {
    if (line.empty()) continue;
    std::string kind;
    Metrics values;
    const nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(line);
    for (const auto& [k, v] : parsed.items()) {
      if (k == kKindKey)
        kind = v.get<std::string>();
      else
        values.emplace_back(k, v.is_number() ? v.get<double>() : std::nan(""));
    }
    if (!values.empty() && values.front().first == "step" && values.front().second <= static_cast<double>(last_step))
      kept.emplace_back(std::move(kind), std::move(values));
  }
  return kept;
}

}  // namespace

MetricsLog::MetricsLog(const std::string& dir, int64_t resume_step) : dir_(dir) {
  if (dir_.empty()) return;
  const std::string path = dir_ + "/metrics.jsonl";
  std::vector<KindAndValues> kept;
  if (resume_step >= 0) kept = rows_up_to(path, resume_step);
  jsonl_.open(path);
  if (!jsonl_) throw Error("cannot write " + path);
  for (const auto& [kind, values] : kept) append(kind, values);
}

void MetricsLog::append(const std::string& kind, const Metrics& values) {
  if (dir_.empty()) return;
  rows_.push_back({kind, values});
  const Row& row = rows_.back();
  write_jsonl(row);
  bool widened = false;
  for (const auto& [k, _] : values)
    if (std::find(columns_.begin(), columns_.end(), k) == columns_.end()) {
      columns_.push_back(k);
      widened = true;
    }
  if (widened) return rewrite_csv();
  write_csv_line(csv_, row);
  csv_.flush();
  if (!csv_) throw Error("cannot write " + dir_ + "/metrics.csv");
}

void MetricsLog::close() {
  jsonl_.close();
  csv_.close();
}

void MetricsLog::write_jsonl(const Row& row) {
  nlohmann::ordered_json j;
  j[kKindKey] = row.kind;
  for (const auto& [k, v] : row.values) j[k] = std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json();
  jsonl_ << j.dump() << '\n';
  jsonl_.flush();
  if (!jsonl_) throw Error("cannot write " + dir_ + "/metrics.jsonl");
}

void MetricsLog::write_csv_line(std::ostream& csv, const Row& row) const {
  csv << row.kind;
  for (const std::string& column : columns_) {
    csv << ',';
    for (const auto& [k, v] : row.values)
      if (k == column) csv << v;
  }
  csv << '\n';
}

void MetricsLog::rewrite_csv() {
  const std::string path = dir_ + "/metrics.csv";
  csv_.close();
  io::write_file_atomically(path, [&](std::ostream& csv) {
    csv << kKindKey;
    for (const std::string& column : columns_) csv << ',' << column;
    csv << '\n' << std::setprecision(9);
    for (const Row& row : rows_) write_csv_line(csv, row);
  });
  csv_.open(path, std::ios::app);
  csv_ << std::setprecision(9);
  if (!csv_) throw Error("cannot write " + path);
}

}  // namespace sslflow::engine
