#include <catch2/catch.hpp>

#include "config/sweep.hpp"
#include "config_expect.hpp"

using namespace sslflow;
using sslflow::testing::kSmallPipeline;
using sslflow::testing::parse_error;

TEST_CASE("Config.Sweep.grid_count_and_names", "[engine]") {
  PipelineConfig c = PipelineConfig::parse(kSmallPipeline +
                                               "sweep:\n"
                                               "  train.optimizer.lr: [0.03, 0.06]\n"
                                               "  nodes.backbone.channels: [[8], [8, 16], [16, 32]]\n",
                                           "p.yaml");
  std::vector<PipelineConfig> runs = expand_sweep(c);
  REQUIRE(runs.size() == 6);
  CHECK(runs[0].name() == "tiny[lr=0.03,channels=[8]]");
  CHECK(runs[1].name() == "tiny[lr=0.03,channels=[8, 16]]");
  CHECK(runs[5].name() == "tiny[lr=0.06,channels=[16, 32]]");
  const ConfigValue& root = runs[4].root();
  CHECK(root.find("sweep") == nullptr);
  CHECK(root.find("train")->find("optimizer")->find("lr")->as_float("lr") == 0.06);
  CHECK(root.find("nodes")->find("backbone")->find("channels")->str() == "[8, 16]");
  CHECK(root.find("train")->find("optimizer")->find("lr")->mark().line == 11);
}

TEST_CASE("Config.Sweep.same_last_key_uses_full_path", "[engine]") {
  PipelineConfig c = PipelineConfig::parse(kSmallPipeline +
                                               "sweep: {train.optimizer.lr: [0.1], eval.0.lr: [1, 2]}\n",
                                           "p.yaml", {"+eval.0.lr=0"});
  std::vector<PipelineConfig> runs = expand_sweep(c);
  REQUIRE(runs.size() == 2);
  CHECK(runs[1].name() == "tiny[train.optimizer.lr=0.1,eval.0.lr=2]");
}

TEST_CASE("Config.Sweep.without_sweep_is_itself", "[engine]") {
  PipelineConfig c = PipelineConfig::parse(kSmallPipeline, "p.yaml");
  std::vector<PipelineConfig> runs = expand_sweep(c);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].root() == c.root());
  CHECK(runs[0].name() == "tiny");
}

TEST_CASE("Config.Sweep.missing_path", "[engine]") {
  ConfigError e = parse_error(kSmallPipeline + "sweep:\n  train.optimizer.learning_rate: [0.1, 0.2]\n");
  CHECK(e.line() == 11);
  CHECK(e.column() == 3);
  CHECK(e.reason() == "no key 'train.optimizer.learning_rate': 'train.optimizer' has no key 'learning_rate'");
}

TEST_CASE("Config.Sweep.values_must_be_a_list", "[engine]") {
  ConfigError e = parse_error(kSmallPipeline + "sweep:\n  seed: 3\n");
  CHECK(e.line() == 11);
  CHECK(e.column() == 9);
  CHECK(e.reason() == "sweep 'seed' (a list of values) must be a list, got int 3");
}
