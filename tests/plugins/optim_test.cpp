#include <oneapi/tbb/task_arena.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../golden/golden.hpp"
#include "../sdk/io_test_support.hpp"
#include "builtin_registry.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/optimizer.hpp"
#include "sslflow/io/safetensors.hpp"

using Catch::Matchers::Contains;
using sslflow::NamedTensors;
using sslflow::Optimizer;
using sslflow::Shape;
using sslflow::Tensor;
using sslflow::Value;
using sslflow::Var;
using sslflow::testing::make_builtin;
using NamedVars = std::vector<std::pair<std::string, Var>>;

namespace {

std::shared_ptr<Optimizer> make_optimizer(const std::string& name, Value::Map options = {}) {
  return make_builtin<Optimizer>(name, Value(std::move(options)));
}

// Float values that vary smoothly with i and `seed`, for parameters and gradients.
Tensor wave(Shape shape, double seed) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = static_cast<float>(std::sin(0.37 * double(i) + seed));
  return t;
}

// A weight, a bias and a scale: ranks 2, 1 and 0.
NamedVars small_model() {
  return {{"layer.weight", Var(wave({3, 4}, 0.1), true)},
          {"layer.bias", Var(wave({3}, 0.2), true)},
          {"temperature", Var(wave({}, 0.3), true)}};
}

NamedVars clone_vars(const NamedVars& vars) {
  NamedVars copy;
  for (const auto& [name, var] : vars) copy.emplace_back(name, Var(var.value().clone(), true));
  return copy;
}

// Gives every parameter a gradient for step k, except layer.bias at k = 3, and steps.
void step_with_gradients(Optimizer& optimizer, const NamedVars& vars, int k) {
  for (size_t i = 0; i < vars.size(); ++i) {
    vars[i].second.zero_grad();
    if (k == 3 && vars[i].first == "layer.bias") continue;
    vars[i].second.accumulate_grad(wave(vars[i].second.shape(), 1.0 + 10.0 * k + double(i)));
  }
  optimizer.step(0.1 / (1.0 + k));
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), sizeof(float) * size_t(a.numel())) == 0;
}

std::vector<std::string> names_of(const NamedTensors& tensors) {
  std::vector<std::string> names;
  for (const auto& [name, _] : tensors) names.push_back(name);
  return names;
}

// --- PyTorch trajectories -------------------------------------------------------------

// The options of each case of tests/plugins/make_optim_golden.py.
struct GoldenCase {
  const char* name;
  const char* plugin;
  Value::Map options;
};

const std::vector<GoldenCase>& golden_cases() {
  static const std::vector<GoldenCase> cases = {
      {"sgd_plain", "sgd", {{"momentum", 0.0}, {"weight_decay", 0.0}}},
      {"sgd_momentum", "sgd", {{"momentum", 0.9}, {"weight_decay", 0.0}}},
      {"sgd_nesterov", "sgd", {{"momentum", 0.9}, {"nesterov", true}, {"weight_decay", 0.0}}},
      {"sgd_weight_decay", "sgd", {{"momentum", 0.9}, {"weight_decay", 0.1}}},
      {"sgd_decay_all", "sgd", {{"momentum", 0.9}, {"weight_decay", 0.1}, {"decay_bias_and_norm", true}}},
      {"adamw", "adamw", {}},
      {"adamw_betas", "adamw", {{"betas", Value::List{0.8, 0.95}}, {"eps", 1e-6}, {"weight_decay", 0.1}}},
      {"lars", "lars", {{"momentum", 0.9}, {"weight_decay", 0.01}, {"eta", 0.02}}},
      {"lars_decay_all",
       "lars",
       {{"momentum", 0.9}, {"weight_decay", 0.01}, {"eta", 0.02}, {"decay_bias_and_norm", true}}},
  };
  return cases;
}

const std::map<std::string, Tensor>& golden_tensors() {
  static const std::map<std::string, Tensor> tensors = [] {
    std::map<std::string, Tensor> m;
    for (auto& [name, t] :
         sslflow::io::read_safetensors(SSLFLOW_SOURCE_DIR "/tests/plugins/data/optim.safetensors").tensors)
      m.emplace(name, t);
    return m;
  }();
  return tensors;
}

const Tensor* golden(const std::string& name) {
  const auto it = golden_tensors().find(name);
  return it == golden_tensors().end() ? nullptr : &it->second;
}

constexpr int kGoldenSteps = 5;
constexpr const char* kGoldenParameters[] = {"linear.weight", "linear.bias", "proj.weight"};
// Float32 updates in another order of operations than PyTorch's stay within a few ulp.
constexpr sslflow::golden::Tolerance kTrajectoryTolerance{1e-6, 1e-6};

}  // namespace

TEST_CASE("Optim.Golden.torch_trajectories", "[plugin][golden]") {
  for (const GoldenCase& c : golden_cases()) {
    DYNAMIC_SECTION(c.name) {
      const std::string prefix = std::string(c.name) + "/";
      NamedVars vars;
      for (const char* p : kGoldenParameters) {
        const Tensor* init = golden(prefix + "init/" + p);
        REQUIRE(init);
        vars.emplace_back(p, Var(init->clone(), true));
      }
      const Tensor* lrs = golden(prefix + "lr");
      REQUIRE(lrs);
      REQUIRE(lrs->numel() == kGoldenSteps);
      auto optimizer = make_optimizer(c.plugin, c.options);
      optimizer->setup(vars);

      int missing_gradients = 0;
      for (int k = 0; k < kGoldenSteps; ++k) {
        for (const auto& [name, var] : vars) {
          var.zero_grad();
          if (const Tensor* g = golden(prefix + "grad" + std::to_string(k) + "/" + name))
            var.accumulate_grad(g->clone());
          else
            ++missing_gradients;
        }
        optimizer->step(lrs->data()[k]);
        for (const auto& [name, var] : vars) {
          const std::string key = prefix + "step" + std::to_string(k) + "/" + name;
          const Tensor* expected = golden(key);
          REQUIRE(expected);
          const auto comparison = sslflow::golden::compare(key, var.value(), *expected, kTrajectoryTolerance);
          INFO(comparison.report);
          CHECK(comparison.ok);
        }
      }
      CHECK(missing_gradients == 1);  // linear.bias at step 2
    }
  }
}

TEST_CASE("Optim.State.resumes_bit_exactly", "[plugin]") {
  const std::string plugin = GENERATE("sgd", "adamw", "lars");
  INFO(plugin);
  Value::Map options = plugin == "sgd" ? Value::Map{{"nesterov", true}} : Value::Map{};

  const NamedVars straight = small_model();
  auto reference = make_optimizer(plugin, options);
  reference->setup(straight);
  for (int k = 0; k < 5; ++k) step_with_gradients(*reference, straight, k);

  const NamedVars first = small_model();
  auto before = make_optimizer(plugin, options);
  before->setup(first);
  for (int k = 0; k < 3; ++k) step_with_gradients(*before, first, k);
  // Through a checkpoint file, as the trainer saves and restores it.
  sslflow::testing::TempDir dir;
  sslflow::io::write_safetensors(dir.file("optimizer.safetensors"), before->state());
  const NamedTensors saved = sslflow::io::read_safetensors(dir.file("optimizer.safetensors")).tensors;

  const NamedVars resumed = clone_vars(first);
  auto after = make_optimizer(plugin, options);
  after->setup(resumed);
  after->load_state(saved);
  for (int k = 3; k < 5; ++k) step_with_gradients(*after, resumed, k);

  for (size_t i = 0; i < straight.size(); ++i) {
    INFO(straight[i].first);
    CHECK(same_bits(resumed[i].second.value(), straight[i].second.value()));
  }
  const NamedTensors want = reference->state();
  const NamedTensors got = after->state();
  REQUIRE(names_of(got) == names_of(want));
  for (size_t i = 0; i < want.size(); ++i) {
    INFO(want[i].first);
    CHECK(same_bits(got[i].second, want[i].second));
  }
  CHECK(got.back().first == "step");
  CHECK(got.back().second.item() == 5.0f);
}

TEST_CASE("Optim.State.slot_names", "[plugin]") {
  NamedVars vars = {{"encoder.weight", Var(wave({2, 2}, 0.0), true)}, {"encoder.bias", Var(wave({2}, 0.0), true)}};
  auto names = [&](const std::string& plugin, Value::Map options = {}) {
    auto optimizer = make_optimizer(plugin, std::move(options));
    optimizer->setup(vars);
    return names_of(optimizer->state());
  };
  using Names = std::vector<std::string>;
  CHECK(names("sgd") == Names{"encoder.weight.momentum_buffer", "encoder.bias.momentum_buffer", "step"});
  CHECK(names("sgd", {{"momentum", 0.0}}) == Names{"step"});
  CHECK(names("lars") == Names{"encoder.weight.momentum_buffer", "encoder.bias.momentum_buffer", "step"});
  CHECK(names("adamw") == Names{"encoder.weight.exp_avg", "encoder.weight.exp_avg_sq", "encoder.weight.step",
                                "encoder.bias.exp_avg", "encoder.bias.exp_avg_sq", "encoder.bias.step", "step"});
}

TEST_CASE("Optim.LoadState.rejects_mismatched_state", "[plugin]") {
  const NamedVars vars = small_model();
  auto optimizer = make_optimizer("sgd");
  optimizer->setup(vars);
  step_with_gradients(*optimizer, vars, 0);
  const NamedTensors good = optimizer->state();

  auto without = [&](const std::string& name) {
    NamedTensors s;
    for (const auto& [n, t] : good)
      if (n != name) s.emplace_back(n, t);
    return s;
  };
  auto replaced = [&](const std::string& name, Tensor tensor) {
    NamedTensors s = good;
    for (auto& [n, t] : s)
      if (n == name) t = std::move(tensor);
    return s;
  };

  NamedTensors renamed = without("layer.bias.momentum_buffer");
  renamed.emplace_back("layer.bais.momentum_buffer", Tensor(Shape{3}));
  CHECK_THROWS_WITH(optimizer->load_state(renamed),
                    Contains("optimizer/sgd: unexpected optimizer state 'layer.bais.momentum_buffer'") &&
                        Contains("did you mean 'layer.bias.momentum_buffer'"));
  CHECK_THROWS_WITH(optimizer->load_state(without("temperature.momentum_buffer")),
                    Contains("optimizer state 'temperature.momentum_buffer' is missing"));
  CHECK_THROWS_WITH(optimizer->load_state(without("step")), Contains("optimizer state 'step' is missing"));
  CHECK_THROWS_AS(optimizer->load_state(replaced("layer.weight.momentum_buffer", Tensor(Shape{4, 3}))),
                  sslflow::ShapeError);
  CHECK_THROWS_WITH(optimizer->load_state(replaced("layer.weight.momentum_buffer", Tensor(Shape{4, 3}))),
                    Contains("'layer.weight.momentum_buffer' has shape [4, 3], expected [3, 4]"));
  CHECK_THROWS_WITH(optimizer->load_state(replaced("step", Tensor::scalar(2.5f))),
                    Contains("'step' is 2.5") && Contains("expected a whole number"));

  // A rejected state changes nothing.
  NamedTensors zeroed = good;
  for (auto& [n, t] : zeroed) t = Tensor(t.shape());
  zeroed.emplace_back("extra", Tensor(Shape{1}));
  CHECK_THROWS(optimizer->load_state(zeroed));
  const NamedTensors now = optimizer->state();
  for (size_t i = 0; i < good.size(); ++i) CHECK(same_bits(now[i].second, good[i].second));
}

TEST_CASE("Optim.Step.leaves_parameters_without_gradient", "[plugin]") {
  const std::string plugin = GENERATE("sgd", "adamw", "lars");
  INFO(plugin);
  const NamedVars vars = small_model();
  auto optimizer = make_optimizer(plugin);
  optimizer->setup(vars);
  step_with_gradients(*optimizer, vars, 0);
  const Tensor bias = vars[1].second.value().clone();
  const NamedTensors before = optimizer->state();

  step_with_gradients(*optimizer, vars, 3);  // layer.bias has no gradient at k = 3
  CHECK(same_bits(vars[1].second.value(), bias));
  const NamedTensors after = optimizer->state();
  for (size_t i = 0; i < before.size(); ++i) {
    const std::string& name = before[i].first;
    INFO(name);
    if (name.rfind("layer.bias.", 0) == 0) CHECK(same_bits(after[i].second, before[i].second));
    if (name.rfind("layer.weight.", 0) == 0) CHECK_FALSE(same_bits(after[i].second, before[i].second));
  }
}

TEST_CASE("Optim.WeightDecay.by_rank_not_name", "[plugin]") {
  // Named the other way round: the rank decides.
  const NamedVars vars = {{"head.bias", Var(Tensor::full({2, 2}, 1.0f), true)},
                          {"head.weight", Var(Tensor::full({2}, 1.0f), true)}};
  auto run = [&](Value::Map options) {
    const NamedVars copy = clone_vars(vars);
    auto optimizer = make_optimizer("sgd", std::move(options));
    optimizer->setup(copy);
    for (const auto& [_, v] : copy) v.accumulate_grad(Tensor(v.shape()));  // zero gradients
    optimizer->step(0.1);
    return std::make_pair(copy[0].second.value().data()[0], copy[1].second.value().data()[0]);
  };
  const auto [matrix, vector] = run({{"momentum", 0.0}, {"weight_decay", 0.5}});
  CHECK(matrix == Approx(0.95f));
  CHECK(vector == 1.0f);
  const auto [matrix_all, vector_all] = run({{"momentum", 0.0}, {"weight_decay", 0.5}, {"decay_bias_and_norm", true}});
  CHECK(matrix_all == Approx(0.95f));
  CHECK(vector_all == Approx(0.95f));
}

TEST_CASE("Optim.Step.same_bits_on_any_thread_count", "[plugin]") {
  const std::string plugin = GENERATE("sgd", "adamw", "lars");
  INFO(plugin);
  // Large enough to be cut into many chunks.
  auto run = [&](int threads) {
    NamedVars vars = {{"big.weight", Var(wave({300, 400}, 0.5), true)}, {"big.bias", Var(wave({300}, 0.6), true)}};
    auto optimizer = make_optimizer(plugin, {{"decay_bias_and_norm", true}});
    optimizer->setup(vars);
    tbb::task_arena arena(threads);
    arena.execute([&] {
      for (int k = 0; k < 2; ++k) step_with_gradients(*optimizer, vars, k);
    });
    return std::make_pair(vars[0].second.value(), vars[1].second.value());
  };
  const auto one = run(1);
  const auto many = run(2);
  CHECK(same_bits(one.first, many.first));
  CHECK(same_bits(one.second, many.second));
}

TEST_CASE("Optim.Options.invalid_combinations", "[plugin]") {
  CHECK_THROWS_WITH(make_optimizer("sgd", {{"momentum", 0.0}, {"nesterov", true}}),
                    Contains("nesterov needs momentum > 0"));
  CHECK_THROWS_WITH(make_optimizer("adamw", {{"betas", Value::List{0.9, 1.0}}}),
                    Contains("betas must be below 1, got [0.9, 1.0]"));
  CHECK_THROWS_AS(make_optimizer("lars", {{"lr", 0.0}}), sslflow::OptionError);
}

TEST_CASE("Optim.Schema.documented_defaults", "[plugin]") {
  const auto& registry = sslflow::testing::builtin_registry();
  const std::map<std::string, std::pair<double, double>> defaults = {
      {"sgd", {0.05, 1e-4}}, {"adamw", {1e-3, 0.05}}, {"lars", {0.3, 1e-6}}};
  for (const auto& [name, lr_and_decay] : defaults) {
    INFO(name);
    const sslflow::PluginInfo* info = registry.find(Optimizer::kKind, name);
    REQUIRE(info);
    CHECK_FALSE(info->description.empty());
    for (const sslflow::Option& option : info->schema) {
      INFO(option.name());
      CHECK(option.doc().size() > 20);
    }
    auto optimizer = make_optimizer(name);
    CHECK(optimizer->base_lr() == lr_and_decay.first);
    const sslflow::Option* decay = sslflow::find_option(info->schema, "weight_decay");
    REQUIRE(decay);
    CHECK(decay->default_value().as_float() == lr_and_decay.second);
    CHECK(sslflow::find_option(info->schema, "decay_bias_and_norm"));
  }
}
