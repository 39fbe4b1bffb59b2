#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "../golden/golden.hpp"
#include "builtin_registry.hpp"
#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/encoder.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/io/safetensors.hpp"
#include "train/trainer.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using sslflow::InputShapes;
using sslflow::Method;
using sslflow::MethodInputs;
using sslflow::Metrics;
using sslflow::Packet;
using sslflow::PortType;
using sslflow::Shape;
using sslflow::Tensor;
using sslflow::Value;
using sslflow::Var;
using sslflow::testing::make_builtin;

namespace {

const sslflow::NodeSetup kSetup{"objective", 5};

Value ints(std::vector<int64_t> values) { return Value(Value::List(values.begin(), values.end())); }

std::shared_ptr<Method> make_distill(Value::Map options) {
  return make_builtin<Method>("distill", Value(std::move(options)));
}

// `count` per-sample block shapes (tokens, width).
std::vector<Shape> blocks(size_t count, int64_t tokens, int64_t width) {
  return std::vector<Shape>(count, Shape{tokens, width});
}

InputShapes shapes(std::vector<Shape> student, std::vector<Shape> teacher) {
  return {{"student", std::move(student)}, {"teacher", std::move(teacher)}};
}

MethodInputs inputs(std::vector<Var> student, std::vector<Var> teacher) {
  MethodInputs in;
  in.add("student", Packet{std::move(student)});
  in.add("teacher", Packet{std::move(teacher)});
  return in;
}

Var leaf(Shape shape, std::vector<float> values) { return Var(Tensor(shape, values), true); }

double metric(const Metrics& metrics, const std::string& name) {
  for (const auto& [key, value] : metrics)
    if (key == name) return value;
  FAIL("no metric " << name);
  return 0.0;
}

bool has_parameter(const Method& method, const std::string& name) {
  for (const auto& [key, value] : method.named_parameters())
    if (key == name) return true;
  return false;
}

}  // namespace

TEST_CASE("Distill.loss.hand_computed_mse", "[plugin]") {
  auto method = make_distill({{"layer_mapping", ints({0, 1, 1, 0})}, {"hidden_weight", 2.0}});
  method->setup(shapes(blocks(2, 2, 2), blocks(2, 2, 2)), kSetup);
  REQUIRE(method->named_parameters().empty());  // equal widths: no projection

  const Shape b{1, 2, 2};
  Var s0 = leaf(b, {1, 2, 3, 4}), s1 = leaf(b, {0, 0, 0, 0});
  Var t0 = leaf(b, {1, 1, 1, 1}), t1 = leaf(b, {0, 2, 3, 6});
  const auto out = method->forward(inputs({s0, s1}, {t0, t1}));

  // pair (0, 1): differences 1, 0, 0, -2 -> MSE 5 / 4; pair (1, 0): all -1 -> MSE 1;
  // loss = 2 * (1.25 + 1) / 2.
  CHECK_THAT(metric(out.metrics, "mse_0_1"), WithinAbs(1.25, 1e-6));
  CHECK_THAT(metric(out.metrics, "mse_1_0"), WithinAbs(1.0, 1e-6));
  REQUIRE_THAT(out.loss.value().item(), WithinAbs(2.25, 1e-6));

  // d loss / d s0 = 2 / 2 * 2 (s0 - t1) / 4; d loss / d s1 = (s1 - t0) / 2.
  out.loss.backward();
  const std::vector<float> expected_s0{0.5f, 0.0f, 0.0f, -1.0f}, expected_s1(4, -0.5f);
  for (int i = 0; i < 4; ++i) {
    CHECK_THAT(s0.grad().data()[i], WithinAbs(expected_s0[i], 1e-6));
    CHECK_THAT(s1.grad().data()[i], WithinAbs(expected_s1[i], 1e-6));
  }
  CHECK_FALSE(t0.has_grad());  // the teacher's states are a stop-gradient target
  CHECK_FALSE(t1.has_grad());
}

TEST_CASE("Distill.loss.normalize_compares_directions", "[plugin]") {
  auto method = make_distill({{"layer_mapping", ints({0, 0})}, {"normalize", true}});
  method->setup(shapes(blocks(1, 1, 2), blocks(1, 1, 2)), kSetup);
  // Same direction, different lengths: zero loss once normalised.
  const auto same = method->forward(inputs({leaf(Shape{1, 1, 2}, {3, 4})}, {leaf(Shape{1, 1, 2}, {0.6f, 0.8f})}));
  CHECK_THAT(same.loss.value().item(), WithinAbs(0.0, 1e-6));
  // Orthogonal unit vectors: differences (1, -1) -> MSE 1.
  const auto orthogonal = method->forward(inputs({leaf(Shape{1, 1, 2}, {2, 0})}, {leaf(Shape{1, 1, 2}, {0, 5})}));
  CHECK_THAT(orthogonal.loss.value().item(), WithinAbs(1.0, 1e-6));
}

TEST_CASE("Distill.projection.only_when_widths_differ", "[plugin]") {
  SECTION("auto, equal widths: none") {
    auto method = make_distill({{"layer_mapping", ints({0, 1})}});
    method->setup(shapes(blocks(1, 4, 8), blocks(2, 4, 8)), kSetup);
    CHECK(method->named_parameters().empty());
  }
  SECTION("auto, different widths: a Xavier-uniform (Dt, Ds) weight without bias") {
    constexpr int64_t kStudent = 32, kTeacher = 64;
    auto method = make_distill({{"layer_mapping", ints({0, 1})}});
    method->setup(shapes(blocks(1, 4, kStudent), blocks(2, 4, kTeacher)), kSetup);
    const auto params = method->named_parameters();
    REQUIRE(params.size() == 1);
    REQUIRE(params[0].first == "projection.weight");
    const Tensor& w = params[0].second.value();
    REQUIRE(w.shape() == Shape{kTeacher, kStudent});
    const double bound = std::sqrt(6.0 / double(kStudent + kTeacher));  // Glorot and Bengio 2010
    double largest = 0.0, total = 0.0;
    for (float x : w.values()) {
      REQUIRE(std::abs(x) <= bound);
      largest = std::max(largest, double(std::abs(x)));
      total += x;
    }
    // 2048 draws of U(-b, b): the largest is within 1% of b, the mean near 0 (std b / 78).
    CHECK(largest > 0.99 * bound);
    CHECK(std::abs(total / double(w.numel())) < 0.05 * bound);
  }
  SECTION("always: created for equal widths too") {
    auto method = make_distill({{"layer_mapping", ints({0, 0})}, {"projection", "always"}});
    method->setup(shapes(blocks(1, 4, 8), blocks(1, 4, 8)), kSetup);
    CHECK(has_parameter(*method, "projection.weight"));
  }
  SECTION("never: different widths are an error naming both") {
    auto method = make_distill({{"layer_mapping", ints({0, 0})}, {"projection", "never"}});
    const InputShapes s = shapes(blocks(1, 4, 8), blocks(1, 4, 16));
    REQUIRE_THROWS_AS(method->setup(s, kSetup), sslflow::ShapeError);
    REQUIRE_THROWS_WITH(method->setup(s, kSetup), Contains("width 8") && Contains("16") && Contains("never"));
  }
}

TEST_CASE("Distill.projection.same_seed_same_weights", "[plugin]") {
  auto a = make_distill({{"layer_mapping", ints({0, 0})}});
  auto b = make_distill({{"layer_mapping", ints({0, 0})}});
  a->setup(shapes(blocks(1, 2, 3), blocks(1, 2, 5)), kSetup);
  b->setup(shapes(blocks(1, 2, 3), blocks(1, 2, 5)), kSetup);
  const Tensor& wa = a->named_parameters().at(0).second.value();
  const Tensor& wb = b->named_parameters().at(0).second.value();
  REQUIRE(std::equal(wa.values().begin(), wa.values().end(), wb.values().begin()));
}

TEST_CASE("Distill.mapping.missing_layer_names_it", "[plugin]") {
  SECTION("student") {
    auto method = make_distill({{"layer_mapping", ints({0, 1, 2, 3})}});
    const InputShapes s = shapes(blocks(2, 4, 8), blocks(4, 4, 8));
    REQUIRE_THROWS_AS(method->setup(s, kSetup), sslflow::Error);
    REQUIRE_THROWS_WITH(method->setup(s, kSetup),
                        Contains("(2, 3)") && Contains("student layer 2") && Contains("has 2 layers (0 to 1)"));
  }
  SECTION("teacher") {
    auto method = make_distill({{"layer_mapping", ints({0, 1, 1, 4})}});
    REQUIRE_THROWS_WITH(method->setup(shapes(blocks(2, 4, 8), blocks(4, 4, 8)), kSetup),
                        Contains("teacher layer 4") && Contains("has 4 layers (0 to 3)"));
  }
  SECTION("the default mapping needs a 12-layer teacher") {
    auto method = make_distill({});
    REQUIRE_THROWS_WITH(method->setup(shapes(blocks(4, 4, 8), blocks(4, 4, 8)), kSetup),
                        Contains("teacher layer 5") && Contains("has 4 layers"));
  }
}

TEST_CASE("Distill.mapping.malformed_lists", "[plugin]") {
  REQUIRE_THROWS_AS(make_distill({{"layer_mapping", ints({0, 1, 2})}}), sslflow::OptionError);
  REQUIRE_THROWS_WITH(make_distill({{"layer_mapping", ints({0, 1, 2})}}), Contains("got 3 numbers"));
  REQUIRE_THROWS_WITH(make_distill({{"layer_mapping", ints({0, 1, 0, 1})}}), Contains("(0, 1) twice"));
  REQUIRE_THROWS_AS(make_distill({{"layer_mapping", ints({0, -1})}}), sslflow::OptionError);  // the schema's minimum
}

TEST_CASE("Distill.shapes.tokens_must_agree", "[plugin]") {
  auto method = make_distill({{"layer_mapping", ints({0, 0})}});
  REQUIRE_THROWS_AS(method->setup(shapes(blocks(1, 4, 8), blocks(1, 5, 8)), kSetup), sslflow::ShapeError);
  REQUIRE_THROWS_WITH(method->setup(shapes(blocks(1, 4, 8), blocks(1, 5, 8)), kSetup),
                      Contains("[4, 8]") && Contains("[5, 8]"));
  method->setup(shapes(blocks(1, 4, 8), blocks(1, 4, 8)), kSetup);
  const Var b = leaf(Shape{1, 4, 8}, std::vector<float>(32, 0.0f));
  REQUIRE_THROWS_WITH(method->forward(inputs({b, b}, {b})), Contains("set up for 1 student and 1 teacher blocks"));
}

namespace {

// One case of tests/plugins/data/distill.safetensors (see make_distill_golden.py).
class DistillGolden {
 public:
  explicit DistillGolden(const std::string& case_name) : case_(case_name) {
    const std::string prefix = case_name + ".";
    for (auto& [name, tensor] : sslflow::io::read_safetensors(kPath).tensors)
      if (name.rfind(prefix, 0) == 0) tensors_.emplace_back(name.substr(prefix.size()), tensor);
  }
  const Tensor& tensor(const std::string& name) const {
    for (const auto& [key, value] : tensors_)
      if (key == name) return value;
    throw sslflow::FormatError(kPath, "no tensor '" + case_ + "." + name + "'");
  }
  Var leaf(const std::string& name) const { return Var(tensor(name).clone(), true); }
  void expect(const std::string& name, const Tensor& actual, sslflow::golden::Tolerance tolerance) const {
    const auto c = sslflow::golden::compare(case_ + "." + name, actual, tensor(name), tolerance);
    INFO(c.report);
    CHECK(c.ok);
  }

 private:
  static constexpr const char* kPath = SSLFLOW_SOURCE_DIR "/tests/plugins/data/distill.safetensors";
  std::string case_;
  sslflow::NamedTensors tensors_;
};

// Runs one golden case: the method set up with `options` on the stored blocks, the stored
// projection loaded, then the loss, the per-pair MSEs and the gradients compared.
void check_golden(const std::string& case_name, Value::Map options, size_t student_blocks, size_t teacher_blocks,
                  const std::vector<std::string>& pair_metrics) {
  const DistillGolden g(case_name);
  std::vector<Var> student, teacher;
  std::vector<Shape> student_shapes, teacher_shapes;
  auto per_sample = [](const Var& v) { return Shape{v.dim(1), v.dim(2)}; };
  for (size_t i = 0; i < student_blocks; ++i) {
    student.push_back(g.leaf("student." + std::to_string(i)));
    student_shapes.push_back(per_sample(student.back()));
  }
  for (size_t j = 0; j < teacher_blocks; ++j) {
    teacher.push_back(g.leaf("teacher." + std::to_string(j)));
    teacher_shapes.push_back(per_sample(teacher.back()));
  }
  auto method = make_distill(std::move(options));
  method->setup(shapes(student_shapes, teacher_shapes), kSetup);
  method->load_state_dict({{"projection.weight", g.tensor("projection.weight")}});

  const auto out = method->forward(inputs(student, teacher));
  g.expect("loss", out.loss.value(), sslflow::golden::kOutputTolerance);
  for (const std::string& name : pair_metrics)
    g.expect(name, Tensor::scalar(static_cast<float>(metric(out.metrics, name))), sslflow::golden::kOutputTolerance);

  out.loss.backward();
  for (size_t i = 0; i < student_blocks; ++i) {
    const std::string name = "student." + std::to_string(i);
    const Tensor grad = student[i].has_grad() ? student[i].grad() : Tensor(student[i].shape());
    g.expect(name + ".grad", grad, sslflow::golden::kGradTolerance);
  }
  g.expect("projection.weight.grad", method->named_parameters().at(0).second.grad(), sslflow::golden::kGradTolerance);
  for (const Var& t : teacher) CHECK_FALSE(t.has_grad());
}

}  // namespace

TEST_CASE("Distill.golden.projection", "[golden][plugin]") {
  check_golden("projection", {{"layer_mapping", ints({0, 1, 1, 2})}, {"hidden_weight", 0.5}}, 2, 3,
               {"mse_0_1", "mse_1_2"});
}

TEST_CASE("Distill.golden.normalized_always_projected", "[golden][plugin]") {
  check_golden("normalized",
               {{"layer_mapping", ints({2, 0, 0, 1})}, {"normalize", true}, {"projection", "always"}}, 3, 2,
               {"mse_2_0", "mse_0_1"});
}

namespace {

// A 3-block ViT teacher (width 16) loaded frozen from `checkpoint`, a 2-block student of
// width 8 behind a projection, on 8x8 synthetic images.
std::string distill_pipeline(const std::string& checkpoint, const std::string& mapping) {
  return R"(name: distill-test
seed: 2
train: {epochs: 6, batch_size: 16, optimizer: {plugin: adamw, lr: 0.01, weight_decay: 0.0},
        lr_schedule: constant, log_every_steps: 1}
data: {plugin: synthetic, train_size: 64, test_size: 16, image_size: 8}
nodes:
  teacher: {plugin: vit, input: data.image, patch: 4, dim: 16, depth: 3, heads: 2,
            load: {path: )" + checkpoint + R"(, prefix: donor.}, frozen: true}
  student: {plugin: vit, input: data.image, patch: 4, dim: 8, depth: 2, heads: 2}
  objective: {plugin: distill, student: student.blocks, teacher: teacher.blocks, layer_mapping: )" +
         mapping + R"(}
)";
}

// A randomly initialised teacher, saved as a run's weights are, under the node name "donor".
sslflow::NamedTensors save_random_teacher(const std::string& path) {
  auto vit = make_builtin<sslflow::Encoder>(
      "vit", Value(Value::Map{{"patch", 4}, {"dim", 16}, {"depth", 3}, {"heads", 2}}));
  vit->setup(Shape{1, 8, 8}, sslflow::NodeSetup{"donor", 9});
  sslflow::NamedTensors named;
  for (auto& [name, tensor] : vit->state_dict()) named.emplace_back("donor." + name, tensor);
  sslflow::io::write_safetensors(path, named);
  return named;
}

// A fresh directory under the system's temporary directory, one per test, removed after it.
struct TempRunDir {
  std::filesystem::path path;
  explicit TempRunDir(const std::string& test) : path(std::filesystem::temp_directory_path() / ("sslflow_" + test)) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path / "run");
  }
  ~TempRunDir() { std::filesystem::remove_all(path); }
};

double mean_of(const std::vector<double>& xs, size_t begin, size_t end) {
  double total = 0.0;
  for (size_t i = begin; i < end; ++i) total += xs[i];
  return total / double(end - begin);
}

}  // namespace

TEST_CASE("Distill.pipeline.frozen_teacher_student_learns", "[engine][plugin]") {
  const TempRunDir dir("distill_frozen_teacher");
  const std::string checkpoint = (dir.path / "teacher.safetensors").string();
  const sslflow::NamedTensors teacher = save_random_teacher(checkpoint);

  const auto pipeline = sslflow::engine::validate(
      sslflow::PipelineConfig::parse(distill_pipeline(checkpoint, "[0, 1, 1, 2]"), "p.yaml"),
      sslflow::testing::builtin_registry());
  sslflow::engine::RunOptions options;
  options.run_dir = (dir.path / "run").string();
  const auto result = sslflow::engine::train(pipeline, options);

  // 6 epochs of 4 steps; the mean loss of the last epoch well below that of the first.
  REQUIRE(result.losses.size() == 24);
  for (double loss : result.losses) REQUIRE(std::isfinite(loss));
  CHECK(mean_of(result.losses, 20, 24) < 0.5 * mean_of(result.losses, 0, 4));

  // The frozen teacher's weights are bit-identical to the checkpoint; the student and the
  // projection were trained.
  const auto saved = sslflow::io::read_safetensors(options.run_dir + "/model.safetensors").tensors;
  size_t teacher_tensors = 0;
  bool has_projection = false;
  for (const auto& [name, tensor] : saved) {
    has_projection = has_projection || name == "objective.projection.weight";
    if (!name.starts_with("teacher.")) continue;
    const std::string donor = "donor." + name.substr(std::string("teacher.").size());
    const auto original = std::find_if(teacher.begin(), teacher.end(), [&](const auto& t) { return t.first == donor; });
    INFO(name);
    REQUIRE(original != teacher.end());
    REQUIRE(tensor.shape() == original->second.shape());
    REQUIRE(std::equal(tensor.values().begin(), tensor.values().end(), original->second.values().begin()));
    ++teacher_tensors;
  }
  CHECK(teacher_tensors == teacher.size());
  CHECK(has_projection);
}

TEST_CASE("Distill.pipeline.missing_layer_fails_at_setup", "[engine][plugin]") {
  const TempRunDir dir("distill_missing_layer");
  const std::string checkpoint = (dir.path / "teacher.safetensors").string();
  save_random_teacher(checkpoint);
  const auto pipeline = sslflow::engine::validate(
      sslflow::PipelineConfig::parse(distill_pipeline(checkpoint, "[0, 1, 1, 3]"), "p.yaml"),
      sslflow::testing::builtin_registry());
  REQUIRE_THROWS_WITH(sslflow::engine::train(pipeline, {}),
                      Contains("teacher layer 3") && Contains("has 3 layers (0 to 2)"));
}
