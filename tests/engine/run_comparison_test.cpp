#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "toy_plugins.hpp"
#include "train/run_comparison.hpp"

using namespace sslflow;

namespace {

engine::ValidatedPipeline validated(const std::string& name) {
  const std::string yaml = "name: " + name + R"(
train: {epochs: 3, batch_size: 16, optimizer: {plugin: toy_sgd, lr: 0.5}}
data: {plugin: toy}
nodes:
  view1: {plugin: toy_noise, input: data.image}
  view2: {plugin: toy_noise, input: data.image}
  backbone: {plugin: toy_linear, inputs: [view1, view2], dim: 8}
  objective: {plugin: toy_align, inputs: [backbone.0, backbone.1]}
)";
  return engine::validate(PipelineConfig::parse(yaml, name + ".yaml"), testing::toy_registry());
}

// A finished run with these final accuracies (a negative one: the metric is absent).
engine::RunSummary finished(const std::string& name, double knn, double linear_probe) {
  engine::RunSummary run;
  run.name = name;
  run.ok = true;
  run.result.run_dir = "runs/" + name;
  run.result.losses.assign(12, 1.0);
  run.result.seconds = 61.24;
  run.result.peak_rss_mib = 300.4;
  if (knn >= 0) run.result.final_metrics.emplace_back("knn.top1", knn);
  if (linear_probe >= 0) run.result.final_metrics.emplace_back("linear_probe.top1", linear_probe);
  run.result.final_metrics.emplace_back("knn.raw_pixels.top1", 0.99);
  return run;
}

std::string read(const std::filesystem::path& path) {
  std::ifstream f(path);
  std::stringstream text;
  text << f.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("Engine.comparison.sorts_by_linear_probe_then_knn_and_failures_last", "[engine]") {
  const std::vector<engine::ValidatedPipeline> pipelines = {validated("a"), validated("b"), validated("c"),
                                                            validated("d"), validated("e")};
  engine::RunSummary failed;
  failed.name = "a";
  failed.error = "a.yaml:4:7: dataset/toy, opening its data";
  const std::vector<engine::RunSummary> runs = {failed, finished("b", 0.80, 0.85), finished("c", 0.90, -1),
                                                finished("d", 0.70, 0.85), finished("e", 0.75, 0.91)};
  const std::vector<engine::RunComparison> rows = engine::compare_runs(pipelines, runs);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].pipeline == "e");
  CHECK(rows[1].pipeline == "b");  // ties on the linear probe go to the better kNN
  CHECK(rows[2].pipeline == "d");
  CHECK(rows[3].pipeline == "c");  // no linear probe
  CHECK(rows[4].pipeline == "a");
  CHECK(rows[4].status == "failed: a.yaml:4:7: dataset/toy, opening its data");
  CHECK(rows[0].method == "toy_align");
  CHECK(rows[0].encoder == "toy_linear");
  CHECK(rows[0].epochs == 3);
  CHECK(rows[0].steps == 12);
  CHECK(rows[0].batch_size == 16);
  CHECK(*rows[0].knn == 0.75);  // the trained encoder's, not a baseline's
  CHECK_FALSE(rows[3].linear_probe);
}

TEST_CASE("Engine.comparison.writes_markdown_and_csv", "[engine]") {
  const std::vector<engine::ValidatedPipeline> pipelines = {validated("plain"), validated("with,comma")};
  engine::RunSummary failed;
  failed.name = "with,comma";
  failed.error = "said \"no\" | twice";
  const auto rows = engine::compare_runs(pipelines, {finished("plain", 0.8123, 0.8456), failed});
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("sslflow-comparison-" + std::to_string(getpid())) / "summary";
  engine::write_comparison(dir.string(), rows);

  const std::string md = read(dir / "summary.md");
  CHECK(md.find("| rank | pipeline | method | encoder | budget | kNN top-1 | linear probe top-1 |") == 0);
  CHECK(md.find("| 1 | plain | toy_align | toy_linear | 3 epochs, 12 steps of 16 | 81.23% | 84.56% | 61.2 s | "
                "300 MiB | ok | runs/plain |") != std::string::npos);
  CHECK(md.find("| 2 | with,comma | toy_align | toy_linear | 3 epochs, 0 steps of 16 | - | - | 0.0 s | - | "
                "failed: said \"no\" \\| twice |") != std::string::npos);

  const std::string csv = read(dir / "summary.csv");
  CHECK(csv ==
        "rank,pipeline,method,encoder,epochs,steps,batch_size,knn_top1,linear_probe_top1,seconds,peak_rss_mib,status,"
        "run_dir\n"
        "1,plain,toy_align,toy_linear,3,12,16,0.8123,0.8456,61.2,300,ok,runs/plain\n"
        "2,\"with,comma\",toy_align,toy_linear,3,0,16,,,0.0,,\"failed: said \"\"no\"\" | twice\",\n");
  std::filesystem::remove_all(dir.parent_path());
}

TEST_CASE("Engine.comparison.names_the_file_it_cannot_write", "[engine]") {
  const auto rows = engine::compare_runs({validated("a")}, {finished("a", 0.5, 0.5)});
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("sslflow-comparison-file-" + std::to_string(getpid()));
  std::ofstream(file) << "not a directory";
  CHECK_THROWS_WITH(engine::write_comparison((file / "summary").string(), rows),
                    Catch::Contains("cannot create the batch's summary directory " + (file / "summary").string()));
  std::filesystem::remove(file);
}
