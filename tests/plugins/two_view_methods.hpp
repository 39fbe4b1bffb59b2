// Helpers for the tests of the methods that compare two views (simsiam, simclr): a method
// built from the shipped plugins, its inputs and metrics, one training step checked
// against a golden file that a tests/plugins/make_<method>_golden.py script writes, and a
// short training run on generated images.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "../golden/golden.hpp"
#include "builtin_registry.hpp"
#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/loss.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/io/safetensors.hpp"
#include "sslflow/random.hpp"
#include "train/trainer.hpp"

namespace sslflow::testing {

inline const NodeSetup kMethodSetup{"objective", 5};

// Method plugin `name` with `options`; a method with a `loss` option gets `loss` when
// given, else the shipped loss plugin the options name, with its default options.
inline std::shared_ptr<Method> make_method(const std::string& name, const Value& options,
                                           std::shared_ptr<Loss> loss = nullptr) {
  const Registry& registry = builtin_registry();
  const PluginInfo* info = registry.find(Method::kKind, name);
  REQUIRE(info);
  Params params = Params::resolve(info->key(), info->schema, options);
  if (find_option(info->schema, "loss")) {
    if (!loss) loss = make_builtin<Loss>(params.value("loss").find("plugin")->as_string());
    params.set_plugin("loss", loss);
  }
  return registry.create<Method>(name, params);
}

// The default value of option `option` of method plugin `name`.
inline Value default_option(const std::string& name, const std::string& option) {
  const PluginInfo* info = builtin_registry().find(Method::kKind, name);
  REQUIRE(info);
  const Option* declared = find_option(info->schema, option);
  REQUIRE(declared);
  return declared->default_value();
}

// The per-sample shapes of two views of `features`-wide features.
inline InputShapes two_views(int64_t features) { return {{"input", {Shape{features}, Shape{features}}}}; }

// The two views' features as the `input` port receives them.
inline MethodInputs views(const Var& x1, const Var& x2) {
  MethodInputs inputs;
  inputs.add("input", Packet{{x1}});
  inputs.add("input", Packet{{x2}});
  return inputs;
}

// (rows, cols) standard normal values from the stream (seed, "test.features").
inline Var features(int64_t rows, int64_t cols, uint64_t seed, bool requires_grad = false) {
  Tensor t(Shape{rows, cols});
  Rng rng(seed, "test.features");
  for (float& v : t.values()) v = rng.normal();
  return Var(t, requires_grad);
}

// Every row of a (rows, cols) batch is the same vector: a collapsed representation.
inline Var constant_rows(int64_t rows, int64_t cols) {
  Tensor t(Shape{rows, cols});
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = 0.25f * static_cast<float>(i % cols) - 0.5f;
  return Var(t);
}

inline double metric(const Metrics& metrics, const std::string& name) {
  for (const auto& [key, value] : metrics)
    if (key == name) return value;
  FAIL("no metric " << name);
  return 0.0;
}

// The mean of values[begin, end).
inline double mean_of(const std::vector<double>& values, size_t begin, size_t end) {
  double total = 0.0;
  for (size_t i = begin; i < end; ++i) total += values[i];
  return total / static_cast<double>(end - begin);
}

// Method `name` with `options` takes exactly two views of one feature shape through one
// repeated port: another
// number of views fails in setup() with GraphError naming the method and the number,
// views of unequal widths with ShapeError, and features of another width in forward()
// with ShapeError naming both shapes.
inline void check_two_view_inputs(const std::string& name, const Value& options) {
  using Catch::Matchers::Contains;
  const PluginInfo* info = builtin_registry().find(Method::kKind, name);
  REQUIRE(info);
  REQUIRE(info->signature.inputs.size() == 1);
  REQUIRE(info->signature.inputs[0].repeated);
  for (size_t count : {1, 3}) {
    const auto method = make_method(name, options);
    const InputShapes shapes{{"input", std::vector<Shape>(count, Shape{5})}};
    REQUIRE_THROWS_AS(method->setup(shapes, kMethodSetup), GraphError);
    REQUIRE_THROWS_WITH(
        method->setup(shapes, kMethodSetup),
        Contains(name + ": input 'input' needs exactly two connections") && Contains("got " + std::to_string(count)));
  }
  const auto method = make_method(name, options);
  REQUIRE_THROWS_AS(method->setup({{"input", {Shape{5}, Shape{6}}}}, kMethodSetup), ShapeError);
  method->setup(two_views(5), kMethodSetup);
  REQUIRE_THROWS_AS(method->forward(views(features(4, 5, 1), features(4, 6, 2))), ShapeError);
  REQUIRE_THROWS_WITH(method->forward(views(features(4, 5, 1), features(4, 6, 2))),
                      Contains(name + ": expected two views of features (B, 5), got [4, 5] and [4, 6]"));
}

// Method `name` with `options`, whose loss needs statistics over the batch, refuses a
// batch of one sample in forward() with ShapeError naming the method.
inline void check_rejects_a_batch_of_one(const std::string& name, const Value& options) {
  using Catch::Matchers::Contains;
  const auto method = make_method(name, options);
  method->setup(two_views(5), kMethodSetup);
  REQUIRE_THROWS_WITH(method->forward(views(features(1, 5, 1), features(1, 5, 2))),
                      Contains(name + ": needs at least 2 samples per view") && Contains("got a batch of 1"));
  REQUIRE_THROWS_AS(method->forward(views(features(1, 5, 1), features(1, 5, 2))), ShapeError);
}

// One case of tests/plugins/data/<file>.safetensors, whose tensors are named "<case>.<name>".
class MethodGolden {
 public:
  MethodGolden(const std::string& file, const std::string& case_name)
      : path_(std::string(SSLFLOW_SOURCE_DIR) + "/tests/plugins/data/" + file + ".safetensors"),
        prefix_(case_name + ".") {
    for (auto& [name, t] : io::read_safetensors(path_).tensors) tensors_.emplace(name, t);
  }

  // The stored tensor `name` of this case; throws FormatError when there is none.
  const Tensor& stored(const std::string& name) const {
    const auto it = tensors_.find(prefix_ + name);
    if (it == tensors_.end()) throw FormatError(path_, "no tensor '" + prefix_ + name + "'");
    return it->second;
  }

  // Checks `actual` against the stored tensor `name`.
  void expect(const std::string& name, const Tensor& actual, golden::Tolerance tolerance) const {
    const golden::Comparison comparison = golden::compare(prefix_ + name, actual, stored(name), tolerance);
    INFO(comparison.report);
    CHECK(comparison.ok);
  }

  // Checks the metric `name` against the stored scalar of that name.
  void expect_metric(const Metrics& metrics, const std::string& name) const {
    expect(name, Tensor::scalar(static_cast<float>(metric(metrics, name))), golden::kOutputTolerance);
  }

  // Loads the set-up `method`'s state from the case, runs one step on the stored views x1,
  // x2 and back-propagates its loss; checks the loss, the gradients of both views and of
  // every parameter ("<name>.grad") and the buffers after the step ("<name>.updated").
  StepOutput check_step(Method& method) const {
    NamedTensors state;
    for (const auto& [name, _] : method.state_dict()) state.emplace_back(name, stored(name));
    method.load_state_dict(state);

    const Var x1(stored("x1").clone(), true), x2(stored("x2").clone(), true);
    StepOutput out = method.forward(views(x1, x2));
    out.loss.backward();

    expect("loss", out.loss.value(), golden::kOutputTolerance);
    expect("x1.grad", x1.grad(), golden::kGradTolerance);
    expect("x2.grad", x2.grad(), golden::kGradTolerance);
    for (const auto& [name, p] : method.named_parameters()) expect(name + ".grad", p.grad(), golden::kGradTolerance);
    for (const auto& [name, b] : method.named_buffers()) expect(name + ".updated", b, golden::kOutputTolerance);
    return out;
  }

 private:
  std::string path_;
  std::string prefix_;
  std::map<std::string, Tensor> tensors_;
};

// Trains on generated blobs (256 images of 12x12 in 4 classes, seed 2) for `epochs` epochs
// of batch 32, SGD with lr 0.1 and a cosine schedule: two views of every image made by
// `augment` with the options `view`, one small ConvNet over both, and the method node
// `objective`, each given as the inside of a YAML flow map ("crop: [0.4, 1.0], flip: 0").
inline engine::RunResult train_on_blobs(int epochs, const std::string& view, const std::string& objective,
                                        const std::vector<std::string>& overrides = {}) {
  std::ostringstream yaml;
  yaml << "name: blobs\nseed: 2\n"
       << "train: {epochs: " << epochs << ", batch_size: 32, lr_schedule: cosine,\n"
       << "        optimizer: {plugin: sgd, lr: 0.1, momentum: 0.9, weight_decay: 5.0e-4}}\n"
       << "data: {plugin: synthetic, train_size: 256, test_size: 0, image_size: 12, num_classes: 4}\n"
       << "nodes:\n"
       << "  view1: {plugin: augment, input: data.image, " << view << "}\n"
       << "  view2: {plugin: augment, input: data.image, " << view << "}\n"
       << "  backbone: {plugin: convnet, inputs: [view1, view2], channels: [8, 16], strides: [1, 2]}\n"
       << "  objective: {inputs: [backbone.0, backbone.1], " << objective << "}\n";
  const PipelineConfig config = PipelineConfig::parse(yaml.str(), "blobs.yaml", overrides);
  return engine::train(engine::validate(config, builtin_registry()), {});
}

}  // namespace sslflow::testing
