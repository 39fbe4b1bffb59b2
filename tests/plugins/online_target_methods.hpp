// Helpers for the tests of the methods with an online network and an EMA target network
// (byol, mocov3; plugins/online_target/online_target_method.hpp): their four inputs, the
// contract of the target projector they own, one golden step written by
// tests/plugins/make_{byol,moco}_golden.py, and a short run of a shipped pipeline.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "train/trainer.hpp"
#include "two_view_methods.hpp"

namespace sslflow::testing {

// The per-sample shapes of two online and two target views of `features`-wide features.
inline InputShapes online_target_shapes(int64_t features, size_t online = 2, size_t target = 2) {
  return {{"input", std::vector<Shape>(online, Shape{features})}, {"target", std::vector<Shape>(target, Shape{features})}};
}

// The online views x1, x2 on `input` and the target views t1, t2 on `target`.
inline MethodInputs online_target_views(const Var& x1, const Var& x2, const Var& t1, const Var& t2) {
  MethodInputs inputs = views(x1, x2);
  inputs.add("target", Packet{{t1}});
  inputs.add("target", Packet{{t2}});
  return inputs;
}

inline std::shared_ptr<Method> make_online_target(const std::string& name, const Value& options) {
  return make_builtin<Method>(name, options);
}

inline Tensor tensor_named(const NamedTensors& tensors, const std::string& name) {
  for (const auto& [n, t] : tensors)
    if (n == name) return t;
  FAIL("no tensor " << name);
  return {};
}

// Another number of connections on `input` or `target` fails in setup() and forward()
// with a GraphError naming the method, the port and the count.
inline void check_view_counts(const std::string& name, const Value& options) {
  using Catch::Matchers::Contains;
  for (const std::string port : {"input", "target"}) {
    for (size_t count : {1, 3}) {
      INFO(port << " with " << count << " connections");
      const auto method = make_online_target(name, options);
      const InputShapes shapes = port == "input" ? online_target_shapes(5, count, 2) : online_target_shapes(5, 2, count);
      const std::string needs = name + ": input '" + port + "' needs exactly two connections";
      const std::string got = "got " + std::to_string(count);
      REQUIRE_THROWS_AS(method->setup(shapes, kMethodSetup), GraphError);
      REQUIRE_THROWS_WITH(method->setup(shapes, kMethodSetup), Contains(needs) && Contains(got));
      method->setup(online_target_shapes(5), kMethodSetup);
      MethodInputs inputs;
      const size_t online = port == "input" ? count : 2, target = port == "target" ? count : 2;
      for (size_t i = 0; i < online; ++i) inputs.add("input", Packet{{features(4, 5, i)}});
      for (size_t i = 0; i < target; ++i) inputs.add("target", Packet{{features(4, 5, 10 + i)}});
      REQUIRE_THROWS_AS(method->forward(inputs), GraphError);
      REQUIRE_THROWS_WITH(method->forward(inputs), Contains(needs) && Contains(got));
    }
  }
  const auto method = make_online_target(name, options);
  REQUIRE_THROWS_AS(method->setup({{"input", {Shape{5}, Shape{5}}}, {"target", {Shape{5}, Shape{6}}}}, kMethodSetup),
                    ShapeError);
  REQUIRE_THROWS_WITH(method->setup({{"input", {Shape{5}, Shape{5}}}, {"target", {Shape{5}, Shape{6}}}}, kMethodSetup),
                      Contains(name + ": the target features of view 2 have shape [6]"));
}

// The target projector: an exact copy of the projector at setup, held as buffers (so the
// optimizer, which the engine hands named_parameters(), never sees it), reached by no
// gradient, and moved by end_step() to m target + (1 - m) projector at the momentum of the
// method's schedule (cosine 0.9 -> 1 here), which forward() then logs as target_momentum.
inline void check_target_projector(const std::string& name, Value options) {
  options.set("schedule", Value(Value::Map{{"plugin", "cosine"}, {"start", 0.9}, {"end", 1.0}}));
  const auto method = make_online_target(name, options);
  method->setup(online_target_shapes(5), kMethodSetup);

  std::vector<std::string> projector;  // the projector's tensor names, without "projector."
  for (const auto& [n, _] : method->state_dict())
    if (n.starts_with("projector.")) projector.push_back(n.substr(10));
  REQUIRE_FALSE(projector.empty());
  for (const auto& [n, _] : method->named_parameters()) {
    INFO(n);
    REQUIRE_FALSE(n.starts_with("target_projector."));
  }
  const NamedTensors buffers = method->named_buffers();
  const NamedTensors state = method->state_dict();
  for (const std::string& n : projector) {
    INFO(n);
    const Tensor online = tensor_named(state, "projector." + n);
    const Tensor target = tensor_named(buffers, "target_projector." + n);
    REQUIRE(std::ranges::equal(target.values(), online.values()));
    REQUIRE(target.data() != online.data());  // a copy, not the same storage
  }

  const Var t1 = features(8, 5, 3, true), t2 = features(8, 5, 4, true);
  const Var x1 = features(8, 5, 1, true), x2 = features(8, 5, 2, true);
  const StepOutput out = method->forward(online_target_views(x1, x2, t1, t2));
  out.loss.backward();
  REQUIRE_FALSE(t1.has_grad());  // nothing flows through the target projector
  REQUIRE_FALSE(t2.has_grad());
  REQUIRE(x1.has_grad());
  CHECK(metric(out.metrics, "target_momentum") == Approx(0.9));  // the schedule's first value

  // An optimizer step moves the online projector; end_step moves the target towards it.
  NamedTensors before;
  for (const auto& [n, t] : method->named_buffers()) before.emplace_back(n, t.clone());
  for (auto& [n, p] : method->named_parameters())
    for (float& v : p.value().values()) v += 1.0f;
  constexpr int64_t kStep = 3, kTotal = 8;
  method->end_step(kStep, kTotal);
  const double m = 1.0 - 0.1 * (std::cos(3.14159265358979323846 * kStep / kTotal) + 1.0) / 2.0;
  for (const auto& [n, p] : method->named_parameters()) {
    if (!n.starts_with("projector.")) continue;
    INFO(n);
    const Tensor old = tensor_named(before, "target_" + n);
    const Tensor now = tensor_named(method->named_buffers(), "target_" + n);
    for (int64_t i = 0; i < now.numel(); ++i)
      REQUIRE_THAT(now.data()[i], Catch::Matchers::WithinAbs(m * old.data()[i] + (1.0 - m) * p.value().data()[i], 1e-6));
  }
  CHECK(metric(method->forward(online_target_views(x1, x2, t1, t2)).metrics, "target_momentum") == Approx(m));

  // The method's state (a checkpoint) carries the target projector: loaded into a fresh
  // method, it gives the same loss, which differs from the fresh method's own.
  const auto restored = make_online_target(name, options);
  restored->setup(online_target_shapes(5), kMethodSetup);
  const MethodInputs inputs = online_target_views(x1, x2, t1, t2);
  const float fresh = restored->forward(inputs).loss.value().item();
  restored->load_state_dict(method->state_dict());
  const float trained = method->forward(inputs).loss.value().item();
  CHECK(restored->forward(inputs).loss.value().item() == trained);
  CHECK(fresh != trained);
}

// Loads the set-up `method`'s state from the golden case, runs one step on its x1, x2, t1,
// t2, checks the loss, the gradients, every buffer after the step ("<name>.updated"); then
// takes an SGD step of rate `lr` on the parameters and end_step(step, total), and checks
// the target projector's parameters ("<name>.followed").
inline void check_golden_step(Method& method, const MethodGolden& golden, float lr, int64_t step, int64_t total) {
  NamedTensors state;
  for (const auto& [n, _] : method.state_dict()) state.emplace_back(n, golden.stored(n));
  method.load_state_dict(state);

  const Var x1(golden.stored("x1").clone(), true), x2(golden.stored("x2").clone(), true);
  const Var t1(golden.stored("t1").clone()), t2(golden.stored("t2").clone());
  const StepOutput out = method.forward(online_target_views(x1, x2, t1, t2));
  out.loss.backward();
  golden.expect("loss", out.loss.value(), golden::kOutputTolerance);
  golden.expect("x1.grad", x1.grad(), golden::kGradTolerance);
  golden.expect("x2.grad", x2.grad(), golden::kGradTolerance);
  for (const auto& [n, p] : method.named_parameters()) golden.expect(n + ".grad", p.grad(), golden::kGradTolerance);
  for (const auto& [n, b] : method.named_buffers()) golden.expect(n + ".updated", b, golden::kOutputTolerance);

  for (auto& [n, p] : method.named_parameters()) {
    const Tensor g = p.grad();
    for (int64_t i = 0; i < g.numel(); ++i) p.value().data()[i] -= lr * g.data()[i];
  }
  method.end_step(step, total);
  for (const auto& [n, p] : method.named_parameters())
    if (n.starts_with("projector."))
      golden.expect("target_" + n + ".followed", tensor_named(method.named_buffers(), "target_" + n),
                    golden::kOutputTolerance);
}

// The shipped pipeline `file` for 8 epochs of 32 on generated blobs (256 training and 128
// test images in 4 classes), scored by kNN on the backbone; `extra` overrides follow.
inline engine::RunResult short_run(const std::string& file, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> overrides{
      "data={plugin: synthetic, train_size: 256, test_size: 128, num_classes: 4}",
      "train.epochs=8",
      "train.batch_size=32",
      "eval=[{plugin: knn, node: backbone}]",
  };
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  const auto config = PipelineConfig::load(SSLFLOW_SOURCE_DIR "/pipelines/" + file, overrides);
  return engine::train(engine::validate(config, builtin_registry()), {});
}

// The loss of a short run falls by `fraction` of its start (first and last 8 steps); the
// backbone's kNN tells the 4 classes apart well above chance (0.25).
inline void check_short_run_learns(const engine::RunResult& run, double fraction) {
  const std::vector<double>& losses = run.losses;
  REQUIRE(losses.size() == 64);
  for (double loss : losses) REQUIRE(std::isfinite(loss));
  const double first = mean_of(losses, 0, 8), last = mean_of(losses, losses.size() - 8, losses.size());
  INFO("mean loss of the first 8 steps " << first << ", of the last 8 " << last);
  CHECK(last < (1.0 - fraction) * first);
  const double knn = metric(run.final_metrics, "knn.top1");
  INFO("knn.top1 " << knn);
  CHECK(knn > 0.4);
}

}  // namespace sslflow::testing
