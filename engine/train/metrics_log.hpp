// MetricsLog: the run's metrics, written as they come so that a crash loses nothing already
// logged: <dir>/metrics.jsonl, one JSON object per row, and <dir>/metrics.csv, the same
// rows with one column per metric name. Each row says what kind of row it is (the JSON key
// and the first CSV column `kind`): `baseline` (the evaluations before training), `train`
// (a step's training metrics), `eval` (the evaluations after an epoch) or `end` (the
// closing row, with the peak resident memory). A row appends a line to both files; one
// that brings a new metric name rewrites the CSV, atomically, with the wider header.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "sslflow/metrics.hpp"

namespace sslflow::engine {

namespace row_kind {
inline constexpr const char* kBaseline = "baseline";
inline constexpr const char* kTrain = "train";
inline constexpr const char* kEval = "eval";
inline constexpr const char* kEnd = "end";
}  // namespace row_kind

class MetricsLog {
 public:
  // An empty dir logs nothing. With resume_step >= 0 the existing rows up to that step are
  // kept (rows past it came after the checkpoint being resumed, and are dropped) and new
  // rows follow them.
  explicit MetricsLog(const std::string& dir, int64_t resume_step = -1);

  // row starts with "step" and "epoch".
  void append(const std::string& kind, const Metrics& row);
  void close();

 private:
  struct Row {
    std::string kind;
    Metrics values;
  };
  void write_jsonl(const Row& row);
  void write_csv_line(std::ostream& csv, const Row& row) const;
  void rewrite_csv();

  std::string dir_;
  std::ofstream jsonl_;
  std::ofstream csv_;
  std::vector<Row> rows_;
  std::vector<std::string> columns_;  // the CSV's, after `kind`
};

}  // namespace sslflow::engine
