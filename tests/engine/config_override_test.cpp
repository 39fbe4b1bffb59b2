#include <catch2/catch.hpp>

#include "config_expect.hpp"

using namespace sslflow;
using sslflow::testing::kSmallPipeline;
using sslflow::testing::parse_error;
using Catch::Contains;

namespace {

PipelineConfig with(const std::vector<std::string>& overrides) {
  return PipelineConfig::parse(kSmallPipeline, "p.yaml", overrides);
}

}  // namespace

TEST_CASE("Config.Override.replace_scalar", "[engine]") {
  PipelineConfig c = with({"train.optimizer.lr=0.1", "seed=7"});
  const ConfigValue& lr = *c.root().find("train")->find("optimizer")->find("lr");
  CHECK(lr.as_float("lr") == 0.1);
  CHECK(lr.mark().line == 0);
  CHECK(lr.mark().file == "override 'train.optimizer.lr=0.1'");
  CHECK(c.root().find("seed")->as_int("seed") == 7);
}

TEST_CASE("Config.Override.flow_collections", "[engine]") {
  PipelineConfig c = with({"train.optimizer={plugin: adamw, lr: 0.001}", "nodes.backbone.channels=[16,32]"});
  CHECK(c.root().find("train")->find("optimizer")->str() == "{plugin: adamw, lr: 0.001}");
  CHECK(c.root().find("nodes")->find("backbone")->find("channels")->str() == "[16, 32]");
}

TEST_CASE("Config.Override.list_index", "[engine]") {
  PipelineConfig c = with({"eval.0.k=10", "nodes.backbone.channels.1=64"});
  CHECK(c.root().find("eval")->as_list("eval")[0].find("k")->as_int("k") == 10);
  CHECK(c.root().find("nodes")->find("backbone")->find("channels")->str() == "[8, 64]");
}

TEST_CASE("Config.Override.add_and_remove", "[engine]") {
  PipelineConfig c = with({"+train.optimizer.nesterov=true", "~eval.0", "+eval.0={plugin: linear_probe}",
                           "~nodes.backbone.channels", "++seed=3", "++train.batch_size=64"});
  CHECK(c.root().find("train")->find("optimizer")->find("nesterov")->as_bool("nesterov"));
  CHECK(c.root().find("eval")->str() == "[{plugin: linear_probe}]");
  CHECK(c.root().find("nodes")->find("backbone")->find("channels") == nullptr);
  CHECK(c.root().find("seed")->as_int("seed") == 3);
  CHECK(c.root().find("train")->find("batch_size")->as_int("batch_size") == 64);
}

TEST_CASE("Config.Override.strings_stay_strings", "[engine]") {
  PipelineConfig c = with({"name=my run: v2", "data.path='007'"});
  CHECK(c.root().find("name")->as_string("name") == "my run: v2");
  CHECK(c.root().find("data")->find("path")->as_string("path") == "007");
}

TEST_CASE("Config.Override.missing_key_suggests", "[engine]") {
  ConfigError e = parse_error(kSmallPipeline, {"train.optimizr.lr=0.1"});
  CHECK(e.file() == "override 'train.optimizr.lr=0.1'");
  CHECK(e.line() == 0);
  CHECK(e.column() == 0);
  CHECK(e.reason() == "no key 'train.optimizr.lr': 'train' has no key 'optimizr', did you mean 'optimizer'?");
  CHECK_THAT(e.what(), Contains("override 'train.optimizr.lr=0.1': "));
}

TEST_CASE("Config.Override.plain_form_adds_a_key_the_file_leaves_out", "[engine]") {
  PipelineConfig c = with({"train.max_steps=50"});
  CHECK(c.root().find("train")->find("max_steps")->as_int("max_steps") == 50);
}

TEST_CASE("Config.Override.add_existing_key", "[engine]") {
  ConfigError e = parse_error(kSmallPipeline, {"+seed=1"});
  CHECK(e.line() == 0);
  CHECK(e.reason() == "cannot add 'seed': it exists already; write seed=... to replace it");
}

TEST_CASE("Config.Override.remove_missing_key", "[engine]") {
  ConfigError e = parse_error(kSmallPipeline, {"~nodes.backbon"});
  CHECK(e.file() == "override '~nodes.backbon'");
  CHECK(e.line() == 0);
  CHECK_THAT(e.reason(), Contains("'nodes' has no key 'backbon', did you mean 'backbone'?"));
}

TEST_CASE("Config.Override.index_out_of_range", "[engine]") {
  ConfigError e = parse_error(kSmallPipeline, {"eval.3.k=1"});
  CHECK(e.reason() == "no key 'eval.3.k': 'eval' is a list of 1 entries, '3' is not an index into it");
}

TEST_CASE("Config.Override.malformed", "[engine]") {
  CHECK_THAT(parse_error(kSmallPipeline, {"seed"}).reason(),
             Contains("expected key.path=value, +key.path=value, ++key.path=value or ~key.path"));
  CHECK_THAT(parse_error(kSmallPipeline, {"train..lr=1"}).reason(), Contains("malformed key path 'train..lr'"));
  CHECK_THAT(parse_error(kSmallPipeline, {"=1"}).reason(), Contains("malformed key path ''"));
  CHECK_THAT(parse_error(kSmallPipeline, {"~seed=0"}).reason(), Contains("without '=value'"));
  ConfigError bad_value = parse_error(kSmallPipeline, {"nodes.backbone.channels=[16,"});
  CHECK(bad_value.file() == "override 'nodes.backbone.channels=[16,'");
  CHECK(bad_value.line() == 0);
}

TEST_CASE("Config.Override.result_is_checked", "[engine]") {
  ConfigError e = parse_error(kSmallPipeline, {"seed=abc"});
  CHECK(e.file() == "override 'seed=abc'");
  CHECK(e.reason() == "seed must be an integer, got string abc");
}
