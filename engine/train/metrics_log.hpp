// MetricsLog: the run's metrics as JSON Lines (one object per row, appended and flushed as
// the run goes, so a crash loses nothing already logged) and, on close, the same rows as
// CSV with one column per metric name.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "sslflow/metrics.hpp"

namespace sslflow::engine {

class MetricsLog {
 public:
  // Writes <dir>/metrics.jsonl now and <dir>/metrics.csv on close(); an empty dir logs
  // nothing. With resume_step >= 0 the existing rows up to that step are kept (rows past
  // it came after the checkpoint being resumed, and are dropped) and new rows follow them.
  explicit MetricsLog(const std::string& dir, int64_t resume_step = -1);
  ~MetricsLog();

  void append(const Metrics& row);
  void close();
  const std::vector<Metrics>& rows() const { return rows_; }

 private:
  std::string dir_;
  std::ofstream jsonl_;
  std::vector<Metrics> rows_;
  bool closed_ = false;
};

}  // namespace sslflow::engine
