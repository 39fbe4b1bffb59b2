#include <catch2/catch.hpp>

#include "sslflow/interfaces/ema_scheduler.hpp"
#include "sslflow/registry.hpp"

using namespace sslflow;

namespace {

class Fixed final : public EmaScheduler {
 public:
  static Schema schema() { return {Option("momentum", 0.99, "the momentum").range(0.0, 1.0)}; }
  explicit Fixed(const Params& p) : m_(p.get<double>("momentum")) {}
  double momentum(int64_t, int64_t) const override { return m_; }

 private:
  double m_;
};

// A scheduler whose options have a rule between them, stated in its static check.
class Ramp final : public EmaScheduler {
 public:
  static Schema schema() {
    return {Option("start", 0.9, "the first momentum").range(0.0, 1.0), Option("end", 0.99, "the last").range(0.0, 1.0)};
  }
  static void check(const Params& p) {
    if (p.get<double>("start") > p.get<double>("end")) throw OptionError("start must not exceed end");
  }
  explicit Ramp(const Params& p) : start_(p.get<double>("start")) {}
  double momentum(int64_t, int64_t) const override { return start_; }

 private:
  double start_;
};

PluginInfo scheduler_with(Schema schema) {
  PluginInfo info;
  info.kind = EmaScheduler::kKind;
  info.name = "broken";
  info.schema = std::move(schema);
  return info;
}

}  // namespace

TEST_CASE("Registry.add.keys_by_kind_and_name", "[plugin]") {
  Registry r;
  r.set_current_library("/lib/a.so", "1.0");
  r.add<EmaScheduler, Fixed>("fixed", "a fixed momentum");
  const PluginInfo* info = r.find("ema_scheduler", "fixed");
  REQUIRE(info != nullptr);
  REQUIRE(info->key() == "ema_scheduler/fixed");
  REQUIRE(info->library == "/lib/a.so");
  REQUIRE(info->schema.size() == 1);
  auto s = r.create<EmaScheduler>("fixed", Params::resolve("fixed", info->schema, Value(Value::Map{{"momentum", 0.5}})));
  REQUIRE(s->momentum(0, 10) == 0.5);
}

TEST_CASE("Registry.add.duplicate_names_both_libraries", "[plugin]") {
  Registry r;
  r.set_current_library("/lib/a.so", "1.0");
  r.add<EmaScheduler, Fixed>("fixed");
  r.set_current_library("/lib/b.so", "1.0");
  auto add_again = [&] { r.add<EmaScheduler, Fixed>("fixed"); };
  REQUIRE_THROWS_WITH(add_again(),
                      Catch::Contains("/lib/a.so") && Catch::Contains("/lib/b.so") &&
                          Catch::Contains("ema_scheduler/fixed"));
}

TEST_CASE("Registry.create.unknown_name_suggests", "[plugin]") {
  Registry r;
  r.add<EmaScheduler, Fixed>("fixed");
  REQUIRE_THROWS_WITH(r.create("ema_scheduler", "fixd", Params()), Catch::Contains("did you mean 'fixed'"));
}

TEST_CASE("Registry.add.static_check_runs_before_the_constructor", "[plugin]") {
  Registry r;
  r.add<EmaScheduler, Ramp>("ramp");
  const PluginInfo* info = r.find("ema_scheduler", "ramp");
  REQUIRE(info->check);
  auto params = [&](double start) {
    return Params::resolve("ramp", info->schema, Value(Value::Map{{"start", start}, {"end", 0.5}}));
  };
  REQUIRE_NOTHROW(info->check(params(0.4)));
  REQUIRE_THROWS_WITH(info->check(params(0.6)), "start must not exceed end");
  REQUIRE_THROWS_WITH(r.create<EmaScheduler>("ramp", params(0.6)), "start must not exceed end");
  REQUIRE(r.create<EmaScheduler>("ramp", params(0.4))->momentum(0, 1) == 0.4);
  r.add<EmaScheduler, Fixed>("fixed");
  REQUIRE_FALSE(r.find("ema_scheduler", "fixed")->check);
}

TEST_CASE("Registry.add.refuses_a_schema_that_contradicts_itself", "[plugin]") {
  Registry r;
  r.set_current_library("/lib/a.so", "1.0");
  REQUIRE_THROWS_WITH(r.add(scheduler_with({Option("m", 0.5, "a"), Option("m", 0.6, "b")})),
                      Catch::Contains("/lib/a.so") && Catch::Contains("declares option 'm' twice"));
  REQUIRE_THROWS_WITH(r.add(scheduler_with({Option("m", 1.5, "the momentum").range(0.0, 1.0)})),
                      Catch::Contains("ema_scheduler/broken': the default breaks its own constraint") &&
                          Catch::Contains("out of range"));
  REQUIRE_THROWS_WITH(r.add(scheduler_with({Option("mode", "fast", "how").one_of({"slow", "steady"})})),
                      Catch::Contains("the default breaks its own constraint"));
  REQUIRE(r.find("ema_scheduler", "broken") == nullptr);
  REQUIRE_NOTHROW(r.add(scheduler_with({Option("m", 0.5, "the momentum").range(0.0, 1.0),
                                        Option::required("path", OptionType::String, "where")})));
}
