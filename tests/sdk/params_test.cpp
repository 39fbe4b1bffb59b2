#include <catch2/catch.hpp>

#include <cmath>

#include "sslflow/params.hpp"

using namespace sslflow;

namespace {

Schema loss_schema() {
  return {Option("beta", 2.0, "transition point of the Huber loss").positive(),
          Option("reduction", "mean", "how to reduce").one_of({"mean", "sum"}),
          Option("steps", 10, "a count").range(1, 100), Option::ints("channels", {32, 64}, "widths"),
          Option::required("path", OptionType::String, "where the data is")};
}

Value given(Value::Map m) { return Value(std::move(m)); }

}  // namespace

TEST_CASE("Params.resolve.fills_defaults", "[sdk]") {
  Params p = Params::resolve("loss/huber", loss_schema(), given({{"path", "/data"}}));
  REQUIRE(p.get<double>("beta") == 2.0);
  REQUIRE(p.get<std::string>("reduction") == "mean");
  REQUIRE(p.get<int>("steps") == 10);
  REQUIRE(p.get<std::vector<int64_t>>("channels") == std::vector<int64_t>{32, 64});
  REQUIRE(p.get<std::string>("path") == "/data");
}

TEST_CASE("Params.resolve.integer_widens_to_float", "[sdk]") {
  Params p = Params::resolve("loss/huber", loss_schema(), given({{"path", "x"}, {"beta", 3}}));
  REQUIRE(p.get<double>("beta") == 3.0);
  REQUIRE(p.values().find("beta")->is_float());
}

TEST_CASE("Params.resolve.unknown_key_suggests", "[sdk]") {
  REQUIRE_THROWS_WITH(Params::resolve("loss/huber", loss_schema(), given({{"path", "x"}, {"bta", 1.0}})),
                      Catch::Contains("unknown option 'bta'") && Catch::Contains("did you mean 'beta'"));
}

TEST_CASE("Params.resolve.rejects_bad_values", "[sdk]") {
  auto with = [](const char* key, Value v) { return given({{"path", "x"}, {key, std::move(v)}}); };
  REQUIRE_THROWS_AS(Params::resolve("o", loss_schema(), with("beta", 0.0)), OptionError);
  REQUIRE_THROWS_AS(Params::resolve("o", loss_schema(), with("beta", "big")), OptionError);
  REQUIRE_THROWS_AS(Params::resolve("o", loss_schema(), with("steps", 1.5)), OptionError);
  REQUIRE_THROWS_AS(Params::resolve("o", loss_schema(), with("steps", 101)), OptionError);
  for (double not_finite : {INFINITY, -INFINITY, NAN})
    REQUIRE_THROWS_WITH(Params::resolve("o", loss_schema(), with("beta", not_finite)),
                        Catch::Contains("option 'beta'") && Catch::Contains("not a finite number"));
  REQUIRE_THROWS_WITH(Params::resolve("o", loss_schema(), with("reduction", "maen")),
                      Catch::Contains("did you mean 'mean'"));
  REQUIRE_THROWS_AS(Params::resolve("o", loss_schema(), with("channels", Value::List{1, "a"})), OptionError);
  REQUIRE_THROWS_WITH(Params::resolve("o", loss_schema(), given({})),
                      Catch::Contains("missing required option 'path'"));
}

TEST_CASE("Params.resolve.names_the_option_and_the_part_at_fault", "[sdk]") {
  auto failure = [](const Value& options) {
    try {
      Params::resolve("o", loss_schema(), options);
    } catch (const OptionError& e) {
      return std::make_pair(e.option(), e.part());
    }
    FAIL("Params::resolve accepted the options");
    return std::make_pair(std::string(), OptionError::Part::None);
  };
  REQUIRE(failure(given({{"path", "x"}, {"bta", 1.0}})) == std::make_pair(std::string("bta"), OptionError::Part::Key));
  REQUIRE(failure(given({{"path", "x"}, {"steps", 0}})) == std::make_pair(std::string("steps"), OptionError::Part::Value));
  REQUIRE(failure(given({})) == std::make_pair(std::string("path"), OptionError::Part::None));
  REQUIRE_THROWS_WITH(Params::resolve("o", loss_schema(), given({{"path", "x"}, {"steps", 0}})),
                      Catch::Contains("— a count"));
  REQUIRE_THROWS_WITH(Params::resolve("o", {}, given({{"beta", 1.0}})), Catch::Contains("(it takes no options)"));
}

TEST_CASE("Params.get.undeclared_or_ill_typed_is_an_error", "[sdk]") {
  Params p = Params::resolve("loss/huber", loss_schema(), given({{"path", "x"}}));
  REQUIRE_THROWS_WITH(p.get<double>("gamma"), Catch::Contains("'gamma'") && Catch::Contains("does not declare"));
  REQUIRE_THROWS_WITH(p.get<std::string>("beta"), Catch::Contains("'beta'") && Catch::Contains("declared as float"));
  REQUIRE_THROWS_AS(p.get<bool>("steps"), OptionError);
}

TEST_CASE("Params.closest_names.ranks_by_edit_distance", "[sdk]") {
  auto near = closest_names("simsam", {"simsiam", "data2vec", "simclr", "vq"});
  REQUIRE(!near.empty());
  REQUIRE(near.front() == "simsiam");
  REQUIRE(closest_names("zzzzzz", {"simsiam", "vq"}).empty());
}
