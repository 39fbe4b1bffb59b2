#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "sslflow/plugin_loader.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/ema_scheduler.hpp"
#include "sslflow/ema.hpp"
#include "sslflow/module.hpp"

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

  auto set = make_scheduler("cosine", {{"start", 0.9}});
  CHECK_THAT(set->momentum(0, 10), WithinAbs(0.9, kTol));
  CHECK_THAT(set->momentum(5, 10), WithinAbs(0.95, kTol));
  CHECK_THAT(set->momentum(10, 10), WithinAbs(1.0, kTol));
}

TEST_CASE("Plugins.EmaCosine.end_below_one", "[plugin]") {
  // stable-pretraining's Data2Vec: 0.999 -> 0.9999 along
  // final - 0.5 (final - base) (1 + cos(pi t)) (backbone/utils.py, update_ema_coefficient).
  auto data2vec = make_scheduler("cosine", {{"start", 0.999}, {"end", 0.9999}});
  CHECK_THAT(data2vec->momentum(0, 100), WithinAbs(0.999, kTol));
  CHECK_THAT(data2vec->momentum(25, 100), WithinAbs(0.9999 - 0.5 * 0.0009 * (1 + std::numbers::sqrt2 / 2), kTol));
  CHECK_THAT(data2vec->momentum(50, 100), WithinAbs(0.99945, kTol));
  CHECK_THAT(data2vec->momentum(100, 100), WithinAbs(0.9999, kTol));
  CHECK_THAT(data2vec->momentum(120, 100), WithinAbs(0.9999, kTol));
  // A schedule may fall as well as rise.
  auto falling = make_scheduler("cosine", {{"start", 0.9}, {"end", 0.5}});
  CHECK_THAT(falling->momentum(5, 10), WithinAbs(0.7, kTol));
  CHECK_THAT(falling->momentum(10, 10), WithinAbs(0.5, kTol));
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

namespace {

// A module of one parameter and one buffer, standing in for a student or its teacher.
class Pair final : public sslflow::Module {
 public:
  Pair(std::vector<float> weight, std::vector<float> running) {
    weight_ = register_parameter("weight", sslflow::Tensor(sslflow::Shape{int64_t(weight.size())}, weight));
    running_ = register_buffer("running", sslflow::Tensor(sslflow::Shape{int64_t(running.size())}, running));
  }
  sslflow::Tensor weight() const { return weight_.value(); }
  sslflow::Tensor running() const { return running_; }

 private:
  sslflow::Var weight_;
  sslflow::Tensor running_;
};

std::vector<float> values_of(const sslflow::Tensor& t) { return {t.values().begin(), t.values().end()}; }

void set_values(sslflow::Tensor t, const std::vector<float>& values) {
  std::copy(values.begin(), values.end(), t.values().begin());
}

}  // namespace

// The rule of stable-pretraining's TeacherStudentWrapper.update_teacher (parameters and
// buffers alike): teacher <- m teacher + (1 - m) student, with values whose every product is
// exact in float, so the expected numbers are written out.
TEST_CASE("Engine.EmaUpdate.hand_computed", "[engine]") {
  Pair teacher({8, -4}, {2, 6});
  Pair student({0, 4}, {10, -2});

  sslflow::ema_update(teacher, student, 0.75);
  // 0.75 * 8 + 0.25 * 0 = 6; 0.75 * -4 + 0.25 * 4 = -2; buffers 0.75 * 2 + 0.25 * 10 = 4, 0.75 * 6 - 0.5 = 4.
  CHECK(values_of(teacher.weight()) == std::vector<float>{6, -2});
  CHECK(values_of(teacher.running()) == std::vector<float>{4, 4});
  CHECK(values_of(student.weight()) == std::vector<float>{0, 4});  // the student is only read

  // The student moves between updates; the momentum changes with the schedule.
  set_values(student.weight(), {2, 2});
  set_values(student.running(), {0, 8});
  sslflow::ema_update(teacher, student, 0.5);  // 0.5 * (6, -2) + 0.5 * (2, 2); 0.5 * (4, 4) + 0.5 * (0, 8)
  CHECK(values_of(teacher.weight()) == std::vector<float>{4, 0});
  CHECK(values_of(teacher.running()) == std::vector<float>{2, 6});
  sslflow::ema_update(teacher, student, 0.25);  // 0.25 * (4, 0) + 0.75 * (2, 2); 0.25 * (2, 6) + 0.75 * (0, 8)
  CHECK(values_of(teacher.weight()) == std::vector<float>{2.5f, 1.5f});
  CHECK(values_of(teacher.running()) == std::vector<float>{0.5f, 7.5f});

  // Momentum 1 keeps the teacher, 0 copies the student.
  sslflow::ema_update(teacher, student, 1.0);
  CHECK(values_of(teacher.weight()) == std::vector<float>{2.5f, 1.5f});
  sslflow::ema_update(teacher, student, 0.0);
  CHECK(values_of(teacher.weight()) == std::vector<float>{2, 2});
  CHECK(values_of(teacher.running()) == std::vector<float>{0, 8});
}

// Many updates toward a fixed student follow the closed form
// t_n = s + (t_0 - s) * prod_k m_k, here along the cosine schedule 0.99 -> 0.999.
TEST_CASE("Engine.EmaUpdate.many_steps_follow_the_closed_form", "[engine]") {
  auto schedule = make_scheduler("cosine", {{"start", 0.99}, {"end", 0.999}});
  Pair teacher({1, -3}, {5, 0.5f});
  const Pair student({-1, 2}, {1, 0.5f});
  constexpr int64_t kSteps = 200;
  double remaining = 1.0;  // prod_k m_k
  for (int64_t step = 0; step < kSteps; ++step) {
    const double m = schedule->momentum(step, kSteps);
    sslflow::ema_update(teacher, student, m);
    remaining *= m;
  }
  INFO("prod m = " << remaining);
  REQUIRE(remaining < 0.5);  // the teacher has moved most of the way
  const std::vector<double> weight{-1 + 2 * remaining, 2 - 5 * remaining};
  const std::vector<double> running{1 + 4 * remaining, 0.5};
  for (size_t i = 0; i < 2; ++i) {
    CHECK_THAT(teacher.weight().data()[i], WithinAbs(weight[i], 1e-5));
    CHECK_THAT(teacher.running().data()[i], WithinAbs(running[i], 1e-5));
  }
}

TEST_CASE("Engine.EmaUpdate.mismatched_modules_are_named", "[engine]") {
  Pair teacher({1, 2}, {3, 4});
  const Pair wider({1, 2, 3}, {3, 4});
  CHECK_THROWS_WITH(sslflow::ema_update(teacher, wider, 0.5),
                    Contains("teacher tensor 'weight' does not match student tensor 'weight'"));
}
