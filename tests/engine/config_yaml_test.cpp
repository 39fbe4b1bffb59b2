#include <catch2/catch.hpp>

#include "config/yaml_reader.hpp"
#include "config/yaml_writer.hpp"
#include "config_expect.hpp"

using namespace sslflow;
using sslflow::testing::kSmallPipeline;
using Catch::StartsWith;

TEST_CASE("Config.Yaml.round_trip", "[engine]") {
  PipelineConfig c = PipelineConfig::parse(kSmallPipeline, "p.yaml",
                                           {"+train.note='true'", "+train.empty=''", "+train.tiny=1e-12",
                                            "+train.big=100000.0", "+train.none=null", "+train.nothing={}"});
  std::string yaml = c.to_yaml();
  CHECK_THAT(yaml, StartsWith("# pipeline tiny, resolved by sslflow from p.yaml\n"));
  PipelineConfig again = PipelineConfig::parse(yaml, "resolved.yaml");
  CHECK(again.root() == c.root());
  CHECK(again.to_yaml() == PipelineConfig::parse(again.to_yaml(), "resolved.yaml").to_yaml());
  const ConfigValue& train = *again.root().find("train");
  CHECK(train.find("note")->as_string("note") == "true");
  CHECK(train.find("empty")->as_string("empty").empty());
  CHECK(train.find("tiny")->as_float("tiny") == 1e-12);
  CHECK(train.find("big")->is_float());
  CHECK(train.find("none")->is_null());
  CHECK(train.find("nothing")->as_map("nothing").empty());
}

TEST_CASE("Config.Yaml.special_floats_and_keys", "[engine]") {
  ConfigValue v = read_yaml("a: [.inf, -.inf, 0.1, 3.0]\n\"1\": x\n\"null\": y\nb: \"-\"\n", "s.yaml");
  ConfigValue back = read_yaml(write_yaml(v), "s.yaml");
  CHECK(back == v);
  CHECK(back.keys() == std::vector<std::string>{"a", "1", "null", "b"});
}
