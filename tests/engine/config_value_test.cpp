#include <catch2/catch.hpp>

#include <cmath>

#include "config/config_value.hpp"
#include "config/yaml_reader.hpp"

using namespace sslflow;

TEST_CASE("Config.Value.core_schema_scalars", "[engine]") {
  ConfigValue v = read_yaml(R"(
a: true
b: False
c: 42
d: -7
e: 0x1F
f: 0o17
g: 1e-3
h: 5.0e-4
i: .inf
j: -.inf
k: .nan
l: ~
m: null
n:
o: yes
p: "true"
q: '42'
r: 1.2.3
s: hello world
t: +12
)",
                            "v.yaml");
  CHECK(v.find("a")->as_bool("a") == true);
  CHECK(v.find("b")->as_bool("b") == false);
  CHECK(v.find("c")->as_int("c") == 42);
  CHECK(v.find("d")->as_int("d") == -7);
  CHECK(v.find("e")->as_int("e") == 31);
  CHECK(v.find("f")->as_int("f") == 15);
  CHECK(v.find("g")->is_float());
  CHECK(v.find("g")->as_float("g") == 1e-3);
  CHECK(v.find("h")->as_float("h") == 5.0e-4);
  CHECK(v.find("i")->as_float("i") == INFINITY);
  CHECK(v.find("j")->as_float("j") == -INFINITY);
  CHECK(std::isnan(v.find("k")->as_float("k")));
  CHECK(v.find("l")->is_null());
  CHECK(v.find("m")->is_null());
  CHECK(v.find("n")->is_null());
  CHECK(v.find("o")->as_string("o") == "yes");  // YAML 1.1 booleans are strings in 1.2
  CHECK(v.find("p")->as_string("p") == "true");
  CHECK(v.find("q")->as_string("q") == "42");
  CHECK(v.find("r")->as_string("r") == "1.2.3");
  CHECK(v.find("s")->as_string("s") == "hello world");
  CHECK(v.find("t")->as_int("t") == 12);
}

TEST_CASE("Config.Value.marks_are_one_based", "[engine]") {
  ConfigValue v = read_yaml("train:\n  epochs: 10\n  lr: [0.1, 0.2]\n", "m.yaml");
  const ConfigEntry* epochs = v.find("train")->find_entry("epochs");
  CHECK(epochs->key_mark.file == "m.yaml");
  CHECK(epochs->key_mark.line == 2);
  CHECK(epochs->key_mark.column == 3);
  CHECK(epochs->value.mark().line == 2);
  CHECK(epochs->value.mark().column == 11);
  const ConfigValue& second = v.find("train")->find("lr")->as_list("lr")[1];
  CHECK(second.mark().line == 3);
  CHECK(second.mark().column == 13);
}

TEST_CASE("Config.Value.to_value_keeps_order_and_types", "[engine]") {
  ConfigValue v = read_yaml("z: 1\na: [x, 2.5, {k: null}]\n", "o.yaml");
  Value plain = v.to_value();
  REQUIRE(plain.is_map());
  CHECK(plain.as_map()[0].first == "z");
  CHECK(plain.as_map()[1].first == "a");
  CHECK(plain.str() == "{z: 1, a: [x, 2.5, {k: null}]}");
  CHECK(v.count() == 7);
}

TEST_CASE("Config.Value.wrong_type_names_expected", "[engine]") {
  ConfigValue v = read_yaml("seed: abc\n", "w.yaml");
  try {
    v.find("seed")->as_int("seed");
    FAIL("as_int accepted a string");
  } catch (const ConfigError& e) {
    CHECK(e.line() == 1);
    CHECK(e.column() == 7);
    CHECK(e.reason() == "seed must be an integer, got string abc");
  }
}

TEST_CASE("Config.Value.integer_out_of_range", "[engine]") {
  try {
    read_yaml("a:\n  b: 99999999999999999999\n", "r.yaml");
    FAIL("an out-of-range integer was accepted");
  } catch (const ConfigError& e) {
    CHECK(e.line() == 2);
    CHECK(e.column() == 6);
    CHECK_THAT(e.reason(), Catch::Contains("out of range"));
  }
}

TEST_CASE("Config.Value.unsupported_tag", "[engine]") {
  CHECK(read_yaml("a: !!str 12\n", "t.yaml").find("a")->as_string("a") == "12");
  CHECK(read_yaml("a: !!float 12\n", "t.yaml").find("a")->is_float());
  try {
    read_yaml("a: !custom 12\n", "t.yaml");
    FAIL("a custom tag was accepted");
  } catch (const ConfigError& e) {
    CHECK(e.line() == 1);
    CHECK_THAT(e.reason(), Catch::Contains("unsupported tag '!custom'"));
  }
}

TEST_CASE("Config.Value.aliases_copy_the_anchored_value", "[engine]") {
  ConfigValue v = read_yaml("a: &crop [0.4, 1.0]\nb: *crop\n", "a.yaml");
  CHECK(*v.find("a") == *v.find("b"));
  CHECK(v.find("b")->mark().line == 2);
}
