#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "online_target_methods.hpp"

using namespace sslflow;
using namespace sslflow::testing;

namespace {

InputShapes query_and_key(int64_t features) { return {{"query", {Shape{features}}}, {"key", {Shape{features}}}}; }

MethodInputs query_and_key(const Var& x, const Var& t) {
  MethodInputs inputs;
  inputs.add("query", Packet{{x}});
  inputs.add("key", Packet{{t}});
  return inputs;
}

// A 5 -> 5 -> 6 head and a queue of `queue` keys.
std::shared_ptr<Method> small(int64_t queue = 10) {
  const auto method = make_builtin<Method>("mocov2", Value(Value::Map{{"proj_dim", 6}, {"queue", queue}}));
  method->setup(query_and_key(5), kMethodSetup);
  return method;
}

// The squared length of each column of a (D, K) tensor.
std::vector<double> column_norms(const Tensor& queue) {
  const int64_t rows = queue.shape()[0], columns = queue.shape()[1];
  std::vector<double> norms(static_cast<size_t>(columns), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c) norms[c] += std::pow(queue.data()[r * columns + c], 2);
  return norms;
}

bool column_equal(const Tensor& a, const Tensor& b, int64_t column) {
  const int64_t rows = a.shape()[0], columns = a.shape()[1];
  for (int64_t r = 0; r < rows; ++r)
    if (a.data()[r * columns + column] != b.data()[r * columns + column]) return false;
  return true;
}

}  // namespace

TEST_CASE("MocoV2.schema.paper_defaults", "[plugin]") {
  auto default_of = [](const char* option) { return testing::default_option("mocov2", option); };
  REQUIRE(default_of("temperature").as_float() == 0.2);
  REQUIRE(default_of("proj_dim").as_int() == 128);
  REQUIRE(default_of("proj_hidden").as_int() == 0);
  REQUIRE(default_of("queue").as_int() == 65536);
  REQUIRE(default_of("schedule").find("plugin")->as_string() == "constant");
}

TEST_CASE("MocoV2.state.the_mlp_head_the_key_copy_and_a_queue_of_unit_keys", "[plugin]") {
  // main_moco.py's --mlp head: Linear(F, F), ReLU, Linear(F, dim), with biases and no norm.
  const auto method = small();
  std::vector<std::string> parameters;
  for (const auto& [n, p] : method->named_parameters()) parameters.push_back(n + " " + p.shape().str());
  CHECK(parameters == std::vector<std::string>{"projector.0.weight [5, 5]", "projector.0.bias [5]",
                                               "projector.2.weight [6, 5]", "projector.2.bias [6]"});
  std::vector<std::string> buffers;
  for (const auto& [n, b] : method->named_buffers()) buffers.push_back(n + " " + b.shape().str());
  CHECK(buffers == std::vector<std::string>{"queue [6, 10]", "queue_ptr [1]", "key_projector.0.weight [5, 5]",
                                            "key_projector.0.bias [5]", "key_projector.2.weight [6, 5]",
                                            "key_projector.2.bias [6]"});
  for (double norm : column_norms(tensor_named(method->named_buffers(), "queue"))) CHECK(norm == Approx(1.0));
  CHECK(tensor_named(method->named_buffers(), "queue_ptr").data()[0] == 0.0f);
}

TEST_CASE("MocoV2.inputs.shapes_name_the_port", "[plugin]") {
  using Catch::Matchers::Contains;
  const auto method = make_builtin<Method>("mocov2", Value(Value::Map{{"queue", 8}}));
  REQUIRE_THROWS_WITH(method->setup({{"query", {Shape{5}}}, {"key", {Shape{6}}}}, kMethodSetup),
                      Contains("mocov2: the key features have shape [6], the query features [5]"));
  REQUIRE_THROWS_WITH(method->setup({{"query", {Shape{5, 2}}}, {"key", {Shape{5, 2}}}}, kMethodSetup),
                      Contains("mocov2: input 'query' expects features (F), got [5, 2]"));
  const auto set_up = small();
  REQUIRE_THROWS_AS(set_up->forward(query_and_key(features(4, 5, 1), features(4, 4, 2))), ShapeError);
  REQUIRE_THROWS_WITH(set_up->forward(query_and_key(features(4, 7, 1), features(4, 7, 2))),
                      Contains("mocov2: expected query and key features (B, 5), got [4, 7] and [4, 7]"));
}

TEST_CASE("MocoV2.golden.loss_gradients_queue_and_key_update_match_pytorch", "[plugin][golden]") {
  struct Case {
    const char* name;
    int64_t features;
    Value::Map options;
  };
  const std::vector<Case> cases{
      {"v2_paper", 6, {{"proj_hidden", 6}, {"proj_dim", 5}, {"queue", 8}, {"temperature", 0.2}}},
      {"v1_temperature", 4, {{"proj_hidden", 7}, {"proj_dim", 3}, {"queue", 9}, {"temperature", 0.07}}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      Value options(c.options);
      options.set("schedule", Value(Value::Map{{"plugin", "constant"}, {"momentum", 0.9}}));  // MOCOV2_M
      const auto method = make_builtin<Method>("mocov2", options);
      method->setup(query_and_key(c.features), kMethodSetup);
      const MethodGolden golden("moco", c.name);
      NamedTensors state;
      for (const auto& [n, _] : method->state_dict()) state.emplace_back(n, golden.stored(n));
      method->load_state_dict(state);

      const Var x(golden.stored("x").clone(), true), t(golden.stored("t").clone());
      const StepOutput out = method->forward(query_and_key(x, t));
      out.loss.backward();
      golden.expect("loss", out.loss.value(), golden::kOutputTolerance);
      golden.expect("x.grad", x.grad(), golden::kGradTolerance);
      for (const auto& [n, p] : method->named_parameters())
        golden.expect(n + ".grad", p.grad(), golden::kGradTolerance);
      CHECK_FALSE(t.has_grad());

      for (auto& [n, p] : method->named_parameters()) {  // make_moco_golden.py's SGD step, LR 0.5
        const Tensor g = p.grad();
        for (int64_t i = 0; i < g.numel(); ++i) p.value().data()[i] -= 0.5f * g.data()[i];
      }
      method->end_step(0, 2);
      const NamedTensors buffers = method->named_buffers();
      golden.expect("queue.updated", tensor_named(buffers, "queue"), golden::kOutputTolerance);
      golden.expect("queue_ptr.updated", tensor_named(buffers, "queue_ptr"), golden::kOutputTolerance);
      for (const auto& [n, _] : method->named_parameters())
        golden.expect("key_" + n + ".followed", tensor_named(buffers, "key_" + n), golden::kOutputTolerance);
    }
  }
}

TEST_CASE("MocoV2.queue.wraps_around_and_travels_with_the_state", "[plugin]") {
  // K = 5 keys, batches of 3: the first step fills columns 0-2, the second 3, 4 and 0.
  const auto method = small(5);
  const Tensor start = tensor_named(method->named_buffers(), "queue").clone();
  const Var x = features(3, 5, 1), t = features(3, 5, 2);
  method->forward(query_and_key(x, t));
  method->end_step(0, 2);
  const Tensor first = tensor_named(method->named_buffers(), "queue").clone();
  for (int64_t column : {0, 1, 2}) CHECK_FALSE(column_equal(first, start, column));
  for (int64_t column : {3, 4}) CHECK(column_equal(first, start, column));
  CHECK(tensor_named(method->named_buffers(), "queue_ptr").data()[0] == 3.0f);

  const StepOutput second_step = method->forward(query_and_key(x, features(3, 5, 3)));
  method->end_step(1, 2);
  const Tensor second = tensor_named(method->named_buffers(), "queue");
  for (int64_t column : {3, 4, 0}) CHECK_FALSE(column_equal(second, first, column));
  for (int64_t column : {1, 2}) CHECK(column_equal(second, first, column));
  CHECK(tensor_named(method->named_buffers(), "queue_ptr").data()[0] == 1.0f);
  for (double norm : column_norms(second)) CHECK(norm == Approx(1.0).epsilon(1e-5));
  const double rank1 = metric(second_step.metrics, "positive_rank1");
  CHECK(rank1 >= 0.0);
  CHECK(rank1 <= 1.0);

  // A checkpoint carries the queue: a fresh method given the state scores the same loss.
  const auto restored = small(5);
  const MethodInputs inputs = query_and_key(x, t);
  const float fresh = restored->forward(inputs).loss.value().item();
  restored->load_state_dict(method->state_dict());
  const float trained = method->forward(inputs).loss.value().item();
  CHECK(restored->forward(inputs).loss.value().item() == trained);
  CHECK(fresh != trained);
}

TEST_CASE("MocoV2.pipeline.short_run_learns", "[plugin][engine]") {
  // A queue of 8 batches of 32, so that it holds real keys after the first epoch. Keys of
  // the same blob class are near-duplicates, so the loss stays near its level for keys that
  // cannot be told apart, log(K + 1), rather than falling fast: what shows learning is the
  // objective below that level and the kNN above the untrained ConvNet's.
  const engine::RunResult run = short_run(
      "mocov2_fmnist.yaml", {"nodes.objective.queue=256", "eval=[{plugin: knn, node: backbone, baselines: true}]"});
  REQUIRE(run.losses.size() == 64);
  for (double loss : run.losses) REQUIRE(std::isfinite(loss));
  CHECK(metric(run.final_metrics, "objective.loss") < std::log(257.0) - 0.3);
  CHECK(metric(run.final_metrics, "knn.top1") > metric(run.final_metrics, "knn.untrained.top1") + 0.02);
}
