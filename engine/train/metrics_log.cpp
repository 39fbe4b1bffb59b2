#include "train/metrics_log.hpp"

#include <cmath>
#include <iomanip>

#include <nlohmann/json.hpp>

#include "sslflow/error.hpp"

namespace sslflow::engine {

MetricsLog::MetricsLog(const std::string& dir) : dir_(dir) {
  if (dir_.empty()) return;
  jsonl_.open(dir_ + "/metrics.jsonl");
  if (!jsonl_) throw Error("cannot write " + dir_ + "/metrics.jsonl");
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
