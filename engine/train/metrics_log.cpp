#include "train/metrics_log.hpp"

#include <cmath>
#include <iomanip>

#include <nlohmann/json.hpp>

#include "sslflow/error.hpp"

namespace sslflow::engine {

MetricsLog::MetricsLog(const std::string& dir, int64_t resume_step) : dir_(dir) {
  if (dir_.empty()) return;
  const std::string path = dir_ + "/metrics.jsonl";
  std::vector<Metrics> kept;
  if (resume_step >= 0) {
    std::ifstream previous(path);
    for (std::string line; std::getline(previous, line);) {
      if (line.empty()) continue;
      Metrics row;
      const nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(line);
      for (const auto& [k, v] : parsed.items())
        row.emplace_back(k, v.is_number() ? v.get<double>() : std::nan(""));
      if (!row.empty() && row.front().first == "step" && row.front().second <= static_cast<double>(resume_step))
        kept.push_back(std::move(row));
    }
  }
  jsonl_.open(path);
  if (!jsonl_) throw Error("cannot write " + path);
  for (const Metrics& row : kept) append(row);
}

MetricsLog::~MetricsLog() {
  try {
    close();
  } catch (...) {
    // A destructor must not throw; close() is called explicitly on the normal path.
  }
}

void MetricsLog::append(const Metrics& row) {
  rows_.push_back(row);
  if (!jsonl_.is_open()) return;
  nlohmann::ordered_json j;
  for (const auto& [k, v] : row) j[k] = std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json();
  jsonl_ << j.dump() << '\n';
  jsonl_.flush();
}

void MetricsLog::close() {
  if (closed_ || dir_.empty()) return;
  closed_ = true;
  jsonl_.close();
  std::vector<std::string> columns;
  for (const Metrics& row : rows_)
    for (const auto& [k, _] : row)
      if (std::find(columns.begin(), columns.end(), k) == columns.end()) columns.push_back(k);
  std::ofstream csv(dir_ + "/metrics.csv");
  for (size_t c = 0; c < columns.size(); ++c) csv << (c ? "," : "") << columns[c];
  csv << '\n' << std::setprecision(9);
  for (const Metrics& row : rows_) {
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c) csv << ',';
      for (const auto& [k, v] : row)
        if (k == columns[c]) csv << v;
    }
    csv << '\n';
  }
  if (!csv) throw Error("cannot write " + dir_ + "/metrics.csv");
}

}  // namespace sslflow::engine
