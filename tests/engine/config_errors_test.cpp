#include <catch2/catch.hpp>

#include <string>

#include "config/yaml_reader.hpp"
#include "config_expect.hpp"

using namespace sslflow;
using sslflow::testing::parse_error;
using Catch::Contains;
using Catch::StartsWith;

namespace {

const std::string kHead = "data: {plugin: idx}\n";  // every pipeline below needs data

}  // namespace

TEST_CASE("Config.Parse.syntax_error_keeps_mark", "[engine]") {
  ConfigError e = parse_error(kHead + "nodes:\n  a: {plugin: x, channels: [1, 2}\n");
  CHECK(e.file() == "p.yaml");
  CHECK(e.line() == 3);
  CHECK(e.column() == 33);  // the '}' that closes a list
  CHECK(e.reason() == "illegal flow end");
  CHECK_THAT(e.what(), StartsWith("p.yaml:3:33: "));
}

TEST_CASE("Config.Parse.duplicate_key", "[engine]") {
  ConfigError e = parse_error(kHead + "nodes:\n  a: {plugin: x}\n  b: {plugin: y}\n  a: {plugin: z}\n");
  CHECK(e.line() == 5);
  CHECK(e.column() == 3);
  CHECK(e.reason() == "duplicate key 'a' (first written at line 3, column 3)");
}

TEST_CASE("Config.Parse.duplicate_key_in_flow_map", "[engine]") {
  ConfigError e = parse_error(kHead + "nodes: {a: {plugin: x, plugin: y}}\n");
  CHECK(e.line() == 2);
  CHECK(e.column() == 24);
  CHECK_THAT(e.reason(), Contains("duplicate key 'plugin'"));
}

TEST_CASE("Config.Parse.deep_nesting", "[engine]") {
  std::string deep = kHead + "nodes:\n  a: {plugin: x, k: " + std::string(600, '[') + std::string(600, ']') + "}\n";
  ConfigError e = parse_error(deep);
  CHECK(e.line() == 3);
  // the top map, nodes and node a take three levels, so the 62nd '[' (column 21 + 61) is one too deep
  CHECK(e.column() == 21 + 61);
  CHECK(e.reason() == "nesting deeper than " + std::to_string(kMaxConfigDepth) + " levels");
}

TEST_CASE("Config.Parse.alias_bomb", "[engine]") {
  std::string bomb = kHead + "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'h'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    std::string row = std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) row += (i ? ", *" : "*") + prev;
    bomb += row + "]\n";
  }
  ConfigError e = parse_error(bomb);
  // rows a to d hold about 12,000 values; row e's eighth alias (of 11,111 each) crosses the limit
  CHECK(e.line() == 6);
  CHECK(e.column() == 36);
  CHECK_THAT(e.reason(), Contains("more than 100000 values"));
}

TEST_CASE("Config.Parse.second_document", "[engine]") {
  ConfigError e = parse_error(sslflow::testing::kSmallPipeline + "---\nname: other\n");
  CHECK(e.line() == 10);
  CHECK(e.column() == 1);
  CHECK_THAT(e.reason(), Contains("one YAML document"));
}

TEST_CASE("Config.Parse.text_after_the_document", "[engine]") {
  ConfigError e = parse_error("- a\n" + kHead);
  CHECK(e.line() == 2);
  CHECK(e.column() == 1);
  CHECK(e.reason() == "text after the end of the document; check its indentation");
}

TEST_CASE("Config.Parse.empty_file", "[engine]") {
  ConfigError e = parse_error("");
  CHECK(e.line() == 1);
  CHECK(e.column() == 1);
  CHECK(e.reason() == "a pipeline file must be a map, got null");
}

TEST_CASE("Config.Schema.unknown_top_level_key", "[engine]") {
  ConfigError e = parse_error(kHead + "nodes: {a: {plugin: x}}\nevals: []\n");
  CHECK(e.line() == 3);
  CHECK(e.column() == 1);
  CHECK_THAT(e.reason(), Contains("unknown top-level key 'evals', did you mean 'eval'?"));
}

TEST_CASE("Config.Schema.seed_must_be_int", "[engine]") {
  ConfigError e = parse_error("seed: 0.5\n" + kHead + "nodes: {a: {plugin: x}}\n");
  CHECK(e.line() == 1);
  CHECK(e.column() == 7);
  CHECK(e.reason() == "seed must be an integer, got float 0.5");
}

TEST_CASE("Config.Schema.missing_data", "[engine]") {
  ConfigError e = parse_error("name: x\nnodes: {a: {plugin: x}}\n");
  CHECK(e.line() == 1);
  CHECK(e.column() == 1);
  CHECK(e.reason() == "a pipeline needs 'data:'");
}

TEST_CASE("Config.Schema.node_with_plugin_and_ema_of", "[engine]") {
  ConfigError e = parse_error(kHead + "nodes:\n  s: {plugin: vit}\n  t: {plugin: vit, ema_of: s}\n");
  CHECK(e.line() == 4);
  CHECK(e.column() == 20);
  CHECK_THAT(e.reason(), Contains("node 't' has both plugin and ema_of"));
}

TEST_CASE("Config.Schema.node_without_plugin_or_ema_of", "[engine]") {
  ConfigError e = parse_error(kHead + "nodes:\n  a: {plugin: x}\n  b: {input: a}\n");
  CHECK(e.line() == 4);
  CHECK(e.column() == 3);
  CHECK(e.reason() == "node 'b' needs 'plugin: NAME', or 'ema_of: NODE' for an EMA teacher");
}

TEST_CASE("Config.Schema.bad_node_name", "[engine]") {
  ConfigError e = parse_error(kHead + "nodes:\n  2nd-view: {plugin: augment}\n");
  CHECK(e.line() == 3);
  CHECK(e.column() == 3);
  CHECK_THAT(e.reason(), Contains("node name '2nd-view' is not an identifier"));
  ConfigError data = parse_error(kHead + "nodes:\n  data: {plugin: augment}\n");
  CHECK(data.line() == 3);
  CHECK_THAT(data.reason(), Contains("'data' names the dataset"));
}

TEST_CASE("Config.Schema.eval_entry_needs_plugin", "[engine]") {
  ConfigError e = parse_error(kHead + "nodes: {a: {plugin: x}}\neval:\n  - {plugin: knn}\n  - {k: 20}\n");
  CHECK(e.line() == 5);
  CHECK(e.column() == 5);
  CHECK(e.reason() == "eval.1 needs a plugin: write {plugin: NAME, options...}");
}

TEST_CASE("Config.Schema.teacher_pipeline_accepted", "[engine]") {
  auto config = PipelineConfig::parse(kHead + R"(nodes:
  mask:    {plugin: patch_mask, input: data.image, patch: 7, ratio: 0.6}
  student: {plugin: vit, input: data.image, mask: mask, dim: 64}
  teacher: {ema_of: student, input: data.image,
            schedule: {plugin: linear_ema, start: 0.999, end: 0.9999}}
  objective: {plugin: data2vec, student: student, teacher: teacher.blocks, loss: {plugin: smooth_l1}}
)",
                                      "t.yaml");
  CHECK(config.root().find("nodes")->keys() == std::vector<std::string>{"mask", "student", "teacher", "objective"});
  CHECK(config.name() == "t");
}

TEST_CASE("Config.Load.missing_file", "[engine]") {
  try {
    PipelineConfig::load("/nonexistent/pipeline.yaml");
    FAIL("loading a missing file succeeded");
  } catch (const ConfigError& e) {
    CHECK(e.file() == "/nonexistent/pipeline.yaml");
    CHECK_THAT(e.reason(), Contains("cannot open"));
  }
}
