#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <memory>
#include <numbers>
#include <sstream>
#include <string>

#include "plugin/plugin_loader.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/ema_scheduler.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using sslflow::EmaScheduler;
using sslflow::Value;

namespace {

// The shipped ema library, loaded once from the build tree's plugin directory.
const sslflow::Registry& ema_registry() {
  static const sslflow::Registry registry = [] {
    sslflow::Registry r;
    std::ostringstream warnings;
    sslflow::PluginLoader(r, warnings)
        .load_library(std::filesystem::path(SSLFLOW_BUILD_PLUGIN_DIR) / "libsslflow_ema.so");
    return r;
  }();
  return registry;
}

std::shared_ptr<EmaScheduler> make_scheduler(const std::string& name, Value::Map options = {}) {
  const sslflow::PluginInfo* info = ema_registry().find(EmaScheduler::kKind, name);
  REQUIRE(info != nullptr);
  auto params = sslflow::Params::resolve("ema_scheduler/" + name, info->schema, Value(std::move(options)));
  auto scheduler = ema_registry().create<EmaScheduler>(name, params);
  REQUIRE(scheduler);
  return scheduler;
}

constexpr double kTol = 1e-12;

}  // namespace

TEST_CASE("Plugins.EmaConstant.values", "[plugin]") {
  auto by_default = make_scheduler("constant");
  CHECK_THAT(by_default->momentum(0, 100), WithinAbs(0.999, kTol));
  CHECK_THAT(by_default->momentum(100, 100), WithinAbs(0.999, kTol));
  auto set = make_scheduler("constant", {{"momentum", 0.9}});
  CHECK_THAT(set->momentum(0, 100), WithinAbs(0.9, kTol));
  CHECK_THAT(set->momentum(50, 100), WithinAbs(0.9, kTol));
  CHECK_THROWS_AS(make_scheduler("constant", {{"momentum", 1.5}}), sslflow::OptionError);
}

TEST_CASE("Plugins.EmaLinear.values", "[plugin]") {
  auto by_default = make_scheduler("linear");
  CHECK_THAT(by_default->momentum(0, 100), WithinAbs(0.999, kTol));
  CHECK_THAT(by_default->momentum(50, 100), WithinAbs(0.99945, kTol));
  CHECK_THAT(by_default->momentum(100, 100), WithinAbs(0.9999, kTol));
  CHECK_THAT(by_default->momentum(150, 100), WithinAbs(0.9999, kTol));

  auto set = make_scheduler("linear", {{"start", 0.9}, {"end", 0.99}});
  CHECK_THAT(set->momentum(0, 40), WithinAbs(0.9, kTol));
  CHECK_THAT(set->momentum(10, 40), WithinAbs(0.9225, kTol));
  CHECK_THAT(set->momentum(40, 40), WithinAbs(0.99, kTol));
  CHECK_THAT(set->momentum(0, 0), WithinAbs(0.99, kTol));
}

TEST_CASE("Plugins.EmaCosine.values", "[plugin]") {
  auto by_default = make_scheduler("cosine");
  CHECK_THAT(by_default->momentum(0, 100), WithinAbs(0.996, kTol));
  // 1 - 0.004 * (cos(pi / 4) + 1) / 2
  CHECK_THAT(by_default->momentum(25, 100), WithinAbs(1.0 - 0.002 * (std::numbers::sqrt2 / 2 + 1), kTol));
  CHECK_THAT(by_default->momentum(50, 100), WithinAbs(0.998, kTol));
  CHECK_THAT(by_default->momentum(100, 100), WithinAbs(1.0, kTol));

  auto set = make_scheduler("cosine", {{"base", 0.9}});
  CHECK_THAT(set->momentum(0, 10), WithinAbs(0.9, kTol));
  CHECK_THAT(set->momentum(5, 10), WithinAbs(0.95, kTol));
  CHECK_THAT(set->momentum(10, 10), WithinAbs(1.0, kTol));
}

TEST_CASE("Plugins.EmaSchedulers.registered_with_documented_defaults", "[plugin]") {
  for (const std::string name : {"constant", "linear", "cosine"}) {
    const sslflow::PluginInfo* info = ema_registry().find(EmaScheduler::kKind, name);
    REQUIRE(info != nullptr);
    CHECK_FALSE(info->description.empty());
    CHECK_THAT(info->library, Catch::Matchers::EndsWith("libsslflow_ema.so"));
    for (const sslflow::Option& option : info->schema) {
      CHECK_FALSE(option.is_required());
      CHECK(option.lower() == 0.0);
      CHECK(option.upper() == 1.0);
      CHECK_THAT(option.doc(), Contains(" as "));
    }
  }
}
