#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../sdk/io_test_support.hpp"
#include "train/metrics_log.hpp"

using sslflow::Metrics;
using sslflow::engine::MetricsLog;
namespace row_kind = sslflow::engine::row_kind;

namespace {

std::string text_of(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("Engine.metrics_log.rows_reach_both_files_as_they_are_appended", "[engine]") {
  const sslflow::testing::TempDir dir;
  MetricsLog log(dir.path().string());
  log.append(row_kind::kTrain, {{"step", 1}, {"epoch", 1}, {"loss", 0.5}});
  log.append(row_kind::kTrain, {{"step", 2}, {"epoch", 1}, {"loss", 0.25}});
  // Before close: a crash now keeps both rows in both files.
  CHECK(text_of(dir.file("metrics.csv")) == "kind,step,epoch,loss\ntrain,1,1,0.5\ntrain,2,1,0.25\n");
  log.append(row_kind::kEval, {{"step", 2}, {"epoch", 1}, {"knn.top1", 0.75}});  // a new column
  CHECK(text_of(dir.file("metrics.csv")) ==
        "kind,step,epoch,loss,knn.top1\ntrain,1,1,0.5,\ntrain,2,1,0.25,\neval,2,1,,0.75\n");
  log.append(row_kind::kEnd, {{"step", 2}, {"epoch", 1}, {"loss", 0.125}});
  CHECK_THAT(text_of(dir.file("metrics.csv")), Catch::EndsWith("eval,2,1,,0.75\nend,2,1,0.125,\n"));
  std::ifstream jsonl(dir.file("metrics.jsonl"));
  std::vector<std::string> kinds;
  for (std::string line; std::getline(jsonl, line);) kinds.push_back(nlohmann::json::parse(line).at("kind"));
  CHECK(kinds == std::vector<std::string>{"train", "train", "eval", "end"});
}

TEST_CASE("Engine.metrics_log.a_resume_keeps_the_rows_up_to_its_checkpoint", "[engine]") {
  const sslflow::testing::TempDir dir;
  {
    MetricsLog log(dir.path().string());
    log.append(row_kind::kBaseline, {{"step", 0}, {"epoch", 0}, {"knn.untrained.top1", 0.5}});
    for (int step = 1; step <= 4; ++step) log.append(row_kind::kTrain, {{"step", step}, {"epoch", 1}, {"loss", 1.0 / step}});
  }
  MetricsLog resumed(dir.path().string(), 2);
  resumed.append(row_kind::kTrain, {{"step", 3}, {"epoch", 1}, {"loss", 0.3}});
  CHECK(text_of(dir.file("metrics.csv")) ==
        "kind,step,epoch,knn.untrained.top1,loss\nbaseline,0,0,0.5,\ntrain,1,1,,1\ntrain,2,1,,0.5\ntrain,3,1,,0.3\n");
  CHECK_THAT(text_of(dir.file("metrics.jsonl")), Catch::StartsWith("{\"kind\":\"baseline\",\"step\":0.0,") &&
                                                     Catch::EndsWith("{\"kind\":\"train\",\"step\":3.0,\"epoch\":1.0,\"loss\":0.3}\n"));
}
