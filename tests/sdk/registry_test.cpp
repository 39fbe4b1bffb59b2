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
