#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <tuple>
#include <unistd.h>
#include <vector>

#include "../golden/golden.hpp"
#include "builtin_registry.hpp"
#include "codebook.hpp"
#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/loss.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/io/safetensors.hpp"
#include "sslflow/ops.hpp"
#include "sslflow/testing/gradcheck.hpp"
#include "train/trainer.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using namespace sslflow;
using vq::Codebook;
using vq::CodebookOptions;

namespace {

Tensor tensor(Shape shape, std::vector<float> values) { return Tensor(shape, values); }

CodebookOptions plain_options(int64_t codes, int64_t dim, double momentum = 0.5) {
  CodebookOptions o;
  o.codes = codes;
  o.dim = dim;
  o.momentum = momentum;
  o.beta = 0.25;
  o.normalize = false;
  return o;
}

// The named tensor of a module's state.
Tensor state(const Module& m, const std::string& name) {
  for (const auto& [n, t] : m.state_dict())
    if (n == name) return t;
  throw Error("no state '" + name + "'");
}

// Values drawn N(0, 1) from their own stream.
Tensor random_tensor(Shape shape, uint64_t index) {
  Rng rng(5, "test.vq", index);
  Tensor t(shape);
  for (float& v : t.values()) v = rng.normal();
  return t;
}

}  // namespace

TEST_CASE("Vq.Codebook.ema_update_hand_computed", "[plugin]") {
  Codebook book(plain_options(2, 2), 0, "codebook");
  book.set_codes(tensor({2, 2}, {0, 0, 4, 0}));
  // Rows 0 and 1 are nearest code 0 (distances 1 vs 9, 1 vs 17), rows 2 and 3 code 1 (9 vs 1, 29 vs 5).
  const vq::Quantized q = book.quantize(Var(tensor({4, 2}, {1, 0, 0, 1, 3, 0, 5, 2})));
  REQUIRE(q.indices == std::vector<int64_t>{0, 0, 1, 1});
  // z - q: (1, 0), (0, 1), (-1, 0), (1, 2): squares sum to 8 over 8 elements; beta 0.25.
  REQUIRE(book.commitment(Var(tensor({4, 2}, {1, 0, 0, 1, 3, 0, 5, 2})), q.indices).value().item() == 0.25f);
  REQUIRE(q.usage == 1.0);
  REQUIRE_THAT(q.perplexity, WithinRel(2.0, 1e-12));
  const std::vector<float> quantized{0, 0, 0, 0, 4, 0, 4, 0};
  REQUIRE(std::vector<float>(q.quantized.value().values().begin(), q.quantized.value().values().end()) == quantized);

  book.update(0);
  // n = 0.5 * 1 + 0.5 * 2; e0 = 0.5 (0, 0) + 0.5 (1, 1); e1 = 0.5 (4, 0) + 0.5 (8, 2).
  REQUIRE(book.ema_counts().data()[0] == 1.5f);
  REQUIRE(book.ema_counts().data()[1] == 1.5f);
  const std::vector<float> sums{0.5f, 0.5f, 6.0f, 1.0f};
  REQUIRE(std::vector<float>(book.ema_sums().values().begin(), book.ema_sums().values().end()) == sums);
  const std::vector<float> codes{0.5f / 1.5f, 0.5f / 1.5f, 6.0f / 1.5f, 1.0f / 1.5f};
  REQUIRE(std::vector<float>(book.codes().values().begin(), book.codes().values().end()) == codes);
}

TEST_CASE("Vq.Codebook.nearest_code_ties_go_to_the_lowest_index", "[plugin]") {
  Codebook book(plain_options(4, 2), 0, "codebook");
  book.set_codes(tensor({4, 2}, {1, 0, -1, 0, 0, 1, -1, 0}));  // code 3 repeats code 1
  // (0, 0) is at distance 1 from every code; (-1, 0.1) is as near to code 1 as to code 3.
  REQUIRE(book.assign(tensor({3, 2}, {0, 0, -1, 0.1f, 0.1f, 1})) == std::vector<int64_t>{0, 1, 2});

  SECTION("normalised, codes of one direction tie") {
    CodebookOptions o = plain_options(2, 2);
    Codebook plain(o, 0, "codebook");
    o.normalize = true;
    Codebook normalized(o, 0, "codebook");
    for (Codebook* b : {&plain, &normalized}) b->set_codes(tensor({2, 2}, {1, 0, 2, 0}));
    REQUIRE(plain.assign(tensor({1, 2}, {5, 0})) == std::vector<int64_t>{1});
    REQUIRE(normalized.assign(tensor({1, 2}, {5, 0})) == std::vector<int64_t>{0});
  }
  SECTION("features of the wrong width") {
    REQUIRE_THROWS_AS(book.assign(tensor({1, 3}, {0, 0, 0})), ShapeError);
    REQUIRE_THROWS_WITH(book.assign(tensor({1, 3}, {0, 0, 0})), Contains("vq codebook") && Contains("[1, 3]"));
  }
}

TEST_CASE("Vq.Codebook.straight_through_gradient", "[plugin][grad]") {
  const Tensor weight = random_tensor({5, 3}, 1);  // d loss / d q_st
  for (bool normalize : {false, true}) {
    INFO("normalize " << normalize);
    CodebookOptions o = plain_options(4, 3);
    o.normalize = normalize;
    Codebook book(o, 0, "codebook");
    book.set_codes(random_tensor({4, 3}, 2));
    Var z(random_tensor({5, 3}, 3), true);
    const vq::Quantized q = book.quantize(z);
    sum(mul(q.quantized, Var(weight))).backward();
    // The reference: the same weighted loss taken directly on the (normalised) features.
    Var reference(z.value().clone(), true);
    sum(mul(normalize ? l2_normalize(reference, 1) : reference, Var(weight))).backward();
    const golden::Comparison c = golden::compare("z.grad", z.grad(), reference.grad(), {1e-6, 1e-6});
    INFO(c.report);
    REQUIRE(c.ok);
    // Forward, q_st is the chosen code.
    const Tensor codes = normalize ? l2_normalize(Var(book.codes()), 1).value() : book.codes();
    for (int64_t i = 0; i < 5; ++i)
      for (int64_t j = 0; j < 3; ++j)
        REQUIRE_THAT(q.quantized.value().data()[i * 3 + j],
                     WithinAbs(codes.data()[q.indices[size_t(i)] * 3 + j], 1e-6));
  }
}

TEST_CASE("Vq.Codebook.usage_and_perplexity_of_known_histograms", "[plugin]") {
  REQUIRE(vq::codebook_usage(std::vector<double>{4, 0, 0, 0}) == 0.25);
  REQUIRE_THAT(vq::perplexity(std::vector<double>{4, 0, 0, 0}), WithinAbs(1.0, 1e-12));
  REQUIRE(vq::codebook_usage(std::vector<double>{1, 1, 1, 1}) == 1.0);
  REQUIRE_THAT(vq::perplexity(std::vector<double>{1, 1, 1, 1}), WithinRel(4.0, 1e-12));
  // p = (1/2, 1/4, 1/4, 0): entropy 1.5 ln 2, perplexity 2^1.5.
  REQUIRE(vq::codebook_usage(std::vector<double>{2, 1, 1, 0}) == 0.75);
  REQUIRE_THAT(vq::perplexity(std::vector<double>{2, 1, 1, 0}), WithinRel(std::pow(2.0, 1.5), 1e-12));
  REQUIRE(vq::perplexity(std::vector<double>{0, 0}) == 0.0);
}

TEST_CASE("Vq.Codebook.dead_codes_reseeded_from_the_batch", "[plugin]") {
  const Tensor batch = tensor({3, 2}, {0.1f, 0, 0, 0.1f, -0.1f, 0});  // every row nearest code 0
  const Tensor start = tensor({3, 2}, {0, 0, 10, 10, -10, -10});
  const auto run = [&](bool reseed) {
    CodebookOptions o = plain_options(3, 2, 0.99);
    o.reseed_dead = reseed;
    o.dead_after = 2;
    auto book = std::make_shared<Codebook>(o, 9, "codebook");
    book->set_codes(start);
    for (int64_t step = 0; step < 2; ++step) {
      book->quantize(Var(batch));
      book->update(step);
      if (step == 0)
        for (int64_t j = 1; j < 3; ++j) REQUIRE(state(*book, "idle_steps").data()[j] == 1.0f);
    }
    return book;
  };

  const auto kept = run(false);
  REQUIRE(state(*kept, "idle_steps").data()[1] == 2.0f);
  REQUIRE_THAT(kept->codes().data()[2], WithinAbs(10.0, 1e-5));

  const auto reseeded = run(true);
  for (int64_t j = 1; j < 3; ++j) {
    INFO("code " << j);
    bool is_batch_row = false;
    for (int64_t r = 0; r < 3; ++r)
      is_batch_row |= reseeded->codes().data()[j * 2] == batch.data()[r * 2] &&
                      reseeded->codes().data()[j * 2 + 1] == batch.data()[r * 2 + 1];
    REQUIRE(is_batch_row);
    REQUIRE(reseeded->ema_counts().data()[j] == 1.0f);
    REQUIRE(reseeded->ema_sums().data()[j * 2] == reseeded->codes().data()[j * 2]);
    REQUIRE(state(*reseeded, "idle_steps").data()[j] == 0.0f);
  }
  // The draw is a function of the seed and the step alone.
  const auto again = run(true);
  REQUIRE(std::vector<float>(again->codes().values().begin(), again->codes().values().end()) ==
          std::vector<float>(reseeded->codes().values().begin(), reseeded->codes().values().end()));
}

TEST_CASE("Vq.Codebook.seeded_by_kmeans_plus_plus_on_first_use", "[plugin]") {
  // Three tight clusters far apart: k-means++ picks one row of each.
  Tensor z(Shape{30, 2});
  Rng rng(2, "test.vq.clusters");
  const float centres[3][2] = {{0, 0}, {20, 0}, {0, 20}};
  for (int64_t i = 0; i < 30; ++i)
    for (int64_t j = 0; j < 2; ++j) z.data()[i * 2 + j] = centres[i % 3][j] + 0.1f * rng.normal();
  Codebook book(plain_options(3, 2), 4, "codebook");
  REQUIRE(state(book, "seeded").data()[0] == 0.0f);
  const vq::Quantized q = book.quantize(Var(z));
  REQUIRE(state(book, "seeded").data()[0] == 1.0f);
  REQUIRE(q.usage == 1.0);
  for (int64_t k = 0; k < 3; ++k) {
    bool is_row = false;
    for (int64_t i = 0; i < 30; ++i)
      is_row |= book.codes().data()[k * 2] == z.data()[i * 2] && book.codes().data()[k * 2 + 1] == z.data()[i * 2 + 1];
    REQUIRE(is_row);
  }
}

namespace {

// Tensor `name` of tests/plugins/data/vq.safetensors (make_vq_golden.py).
Tensor stored(const std::string& name) {
  static const std::string path = std::string(SSLFLOW_SOURCE_DIR) + "/tests/plugins/data/vq.safetensors";
  static const io::SafetensorsFile file = io::read_safetensors(path);
  for (const auto& [n, t] : file.tensors)
    if (n == name) return t;
  throw FormatError(path, "no tensor '" + name + "'");
}

void expect(const std::string& name, const Tensor& actual, const Tensor& expected) {
  const golden::Comparison c = golden::compare(name, actual, expected, golden::kOutputTolerance);
  INFO(c.report);
  CHECK(c.ok);
}

// The options of make_vq_golden.py's codebooks: 6 codes of width 4, momentum 0.9.
CodebookOptions golden_options(bool normalize) {
  CodebookOptions o = plain_options(6, 4, 0.9);
  o.normalize = normalize;
  return o;
}

// Code indices as the golden file stores them, whole numbers in float.
Tensor index_tensor(const std::vector<int64_t>& indices) {
  Tensor t(Shape{int64_t(indices.size())});
  for (size_t i = 0; i < indices.size(); ++i) t.data()[i] = float(indices[i]);
  return t;
}

}  // namespace

TEST_CASE("Vq.Codebook.matches_pytorch", "[plugin][golden]") {
  for (const auto& [name, steps, normalize] : {std::tuple{"plain", 2, false}, std::tuple{"normalized", 1, true}}) {
    INFO("case " << name);
    const std::string prefix = std::string(name) + ".";
    Codebook book(golden_options(normalize), 0, "codebook");
    book.set_codes(stored(prefix + "codes0"));
    for (int s = 1; s <= steps; ++s) {
      const std::string k = std::to_string(s);
      const vq::Quantized q = book.quantize(Var(stored(prefix + "z" + k)));
      expect(prefix + "indices" + k, index_tensor(q.indices), stored(prefix + "indices" + k));
      expect(prefix + "commitment" + k, book.commitment(Var(stored(prefix + "z" + k)), q.indices).value(),
             stored(prefix + "commitment" + k));
      book.update(s - 1);
      expect(prefix + "ema_counts" + k, book.ema_counts(), stored(prefix + "ema_counts" + k));
      expect(prefix + "ema_sums" + k, book.ema_sums(), stored(prefix + "ema_sums" + k));
      expect(prefix + "codes" + k, book.codes(), stored(prefix + "codes" + k));
    }
  }
}

TEST_CASE("Vq.Codebook.commitment_of_other_rows_matches_pytorch", "[plugin][golden]") {
  // The student's rows e commit to the codes chosen for the teacher's rows z: VQ-VAE's form
  // (normalize off) and BEiT v2's (normalize on), with the gradient with respect to e.
  for (const auto& [name, normalize] : {std::pair{"committed_plain", false}, std::pair{"committed_normalized", true}}) {
    INFO("case " << name);
    const std::string prefix = std::string(name) + ".";
    Codebook book(golden_options(normalize), 0, "codebook");
    book.set_codes(stored(prefix + "codes0"));
    const vq::Quantized q = book.quantize(Var(stored(prefix + "z")));
    Var e(stored(prefix + "e").clone(), true);
    const Var commitment = book.commitment(e, q.indices);
    commitment.backward();
    expect(prefix + "indices", index_tensor(q.indices), stored(prefix + "indices"));
    expect(prefix + "commitment", commitment.value(), stored(prefix + "commitment"));
    expect(prefix + "e.grad", e.grad(), stored(prefix + "e.grad"));
  }
}

TEST_CASE("Vq.Codebook.commitment_gradient_by_finite_differences", "[plugin][grad]") {
  for (bool normalize : {false, true}) {
    INFO("normalize " << normalize);
    CodebookOptions o = plain_options(4, 3);
    o.normalize = normalize;
    o.beta = 1.5;
    Codebook book(o, 0, "codebook");
    book.set_codes(random_tensor({4, 3}, 20));
    const vq::Quantized q = book.quantize(Var(random_tensor({6, 3}, 21)));
    const Var e(random_tensor({6, 3}, 22), true);
    const testing::GradcheckResult r =
        testing::gradcheck([&](const std::vector<Var>& in) { return book.commitment(in[0], q.indices); }, {e},
                           {.eps = 1e-3});
    INFO(r.report);
    REQUIRE(r.ok);
    REQUIRE(r.entries_checked == 18);
  }
  Codebook book(plain_options(4, 3), 0, "codebook");
  book.set_codes(random_tensor({4, 3}, 20));
  REQUIRE_THROWS_WITH(book.commitment(Var(random_tensor({2, 3}, 1)), std::vector<int64_t>{0, 1, 2}),
                      Contains("one row of width 3 per code, (3, 3), got [2, 3]"));
}

namespace {

constexpr int64_t kBatch = 2, kTokens = 4, kStudentDim = 5, kTeacherDim = 3, kCodes = 4;

Packet packet(const Var& value) { return Packet{{value}}; }

InputShapes vq_shapes(int64_t teacher_tokens = kTokens) {
  return {{"student", {Shape{kTokens, kStudentDim}}},
          {"teacher", {Shape{teacher_tokens, kTeacherDim}}},
          {"mask", {Shape{kTokens}}}};
}

MethodInputs vq_inputs(const Var& student, const Var& teacher, const Tensor& mask) {
  MethodInputs in;
  in.add("student", packet(student));
  in.add("teacher", packet(teacher));
  in.add("mask", packet(Var(mask)));
  return in;
}

// The vq method with `options`, its loss built from the shipped plugins.
std::shared_ptr<Method> make_vq(const Value& options = Value(Value::Map{})) {
  const PluginInfo* info = testing::builtin_registry().find(Method::kKind, "vq");
  Params params = Params::resolve(info->key(), info->schema, options);
  params.set_plugin("loss", testing::make_builtin<Loss>(params.value("loss").find("plugin")->as_string()));
  return testing::builtin_registry().create<Method>("vq", params);
}

double metric(const Metrics& metrics, const std::string& name) {
  for (const auto& [n, v] : metrics)
    if (n == name) return v;
  throw Error("no metric '" + name + "'");
}

}  // namespace

TEST_CASE("Vq.Method.predicts_teacher_codes_at_masked_tokens", "[plugin]") {
  // Without the commitment term (beta 0) the student learns through the prediction alone,
  // and its width may differ from the teacher's.
  auto method = make_vq(Value(Value::Map{
      {"codes", Value(kCodes)}, {"normalize", Value(false)}, {"momentum", Value(0.5)}, {"beta", Value(0.0)}}));
  method->setup(vq_shapes(), NodeSetup{"objective", 3});
  const Tensor codes = random_tensor({kCodes, kTeacherDim}, 10);
  method->load_state_dict({{"codebook.codes", codes}, {"codebook.ema_sums", codes}, {"codebook.seeded", Tensor::full({1}, 1)}},
                          false);

  Var student(random_tensor({kBatch, kTokens, kStudentDim}, 11), true);
  Var teacher(random_tensor({kBatch, kTokens, kTeacherDim}, 12), true);
  const Tensor mask = tensor({kBatch, kTokens}, {1, 0, 1, 0, 0, 1, 1, 1});
  const StepOutput out = method->forward(vq_inputs(student, teacher, mask));

  // The expected loss from the head's weights and the nearest codes, computed directly.
  Codebook reference(plain_options(kCodes, kTeacherDim), 0, "reference");
  reference.set_codes(codes);
  const std::vector<int64_t> nearest = reference.assign(teacher.value().reshape({kBatch * kTokens, kTeacherDim}));
  std::vector<int64_t> rows, labels;
  for (int64_t i = 0; i < kBatch * kTokens; ++i)
    if (mask.data()[i] == 1.0f) {
      rows.push_back(i);
      labels.push_back(nearest[size_t(i)]);
    }
  const Var logits = linear(index_select(Var(student.value().reshape({kBatch * kTokens, kStudentDim})), 0, rows),
                            Var(state(*method, "head.weight")), Var(state(*method, "head.bias")));
  const double prediction = cross_entropy(logits, labels).value().item();
  REQUIRE_THAT(metric(out.metrics, "prediction_loss"), WithinRel(prediction, 1e-6));
  REQUIRE(metric(out.metrics, "commitment_loss") == 0.0);
  REQUIRE_THAT(out.loss.value().item(), WithinRel(prediction, 1e-6));
  REQUIRE(metric(out.metrics, "codebook_usage") > 0.0);
  REQUIRE(metric(out.metrics, "perplexity") >= 1.0);
  const double accuracy = metric(out.metrics, "token_accuracy");
  REQUIRE((accuracy >= 0.0 && accuracy <= 1.0));

  out.loss.backward();
  REQUIRE(student.has_grad());
  REQUIRE_FALSE(teacher.has_grad());  // the teacher is detached
  // Unmasked student tokens get no gradient.
  for (int64_t j = 0; j < kStudentDim; ++j) REQUIRE(student.grad().data()[1 * kStudentDim + j] == 0.0f);

  // The codebook learns in end_step, by EMA (momentum 0.5) only.
  method->end_step(0, 10);
  std::vector<double> count(kCodes, 0.5);
  for (int64_t k : nearest) count[size_t(k)] += 0.5;
  for (int64_t k = 0; k < kCodes; ++k)
    REQUIRE(state(*method, "codebook.ema_counts").data()[k] == float(count[size_t(k)]));
}

TEST_CASE("Vq.Method.commitment_pulls_student_tokens_toward_the_teacher_codes", "[plugin][grad]") {
  constexpr double kBeta = 0.5;
  constexpr int64_t kDim = kTeacherDim;
  auto method = make_vq(Value(Value::Map{
      {"codes", Value(kCodes)}, {"normalize", Value(false)}, {"momentum", Value(0.5)}, {"beta", Value(kBeta)}}));
  method->setup({{"student", {Shape{kTokens, kDim}}}, {"teacher", {Shape{kTokens, kDim}}}, {"mask", {Shape{kTokens}}}},
                NodeSetup{"objective", 3});
  const Tensor codes = random_tensor({kCodes, kDim}, 10);
  method->load_state_dict({{"codebook.codes", codes}, {"codebook.ema_sums", codes}, {"codebook.seeded", Tensor::full({1}, 1)}},
                          false);
  Var student(random_tensor({kBatch, kTokens, kDim}, 11), true);
  const Var teacher(random_tensor({kBatch, kTokens, kDim}, 12));
  const Tensor mask = tensor({kBatch, kTokens}, {1, 0, 1, 0, 0, 1, 1, 1});
  const StepOutput out = method->forward(vq_inputs(student, teacher, mask));

  // beta * mean((s - q)^2) over all B T C elements, q the code of the teacher's token.
  Codebook reference(plain_options(kCodes, kDim), 0, "reference");
  reference.set_codes(codes);
  const std::vector<int64_t> nearest = reference.assign(teacher.value().reshape({kBatch * kTokens, kDim}));
  const int64_t elements = kBatch * kTokens * kDim;
  double squares = 0.0;
  for (int64_t i = 0; i < kBatch * kTokens; ++i)
    for (int64_t j = 0; j < kDim; ++j) {
      const double d = student.value().data()[i * kDim + j] - codes.data()[nearest[size_t(i)] * kDim + j];
      squares += d * d;
    }
  REQUIRE_THAT(metric(out.metrics, "commitment_loss"), WithinRel(kBeta * squares / double(elements), 1e-5));
  REQUIRE_THAT(out.loss.value().item(),
               WithinRel(metric(out.metrics, "prediction_loss") + metric(out.metrics, "commitment_loss"), 1e-6));

  // At an unmasked token the gradient is the commitment's alone: 2 beta (s - q) / (B T C).
  out.loss.backward();
  for (int64_t j = 0; j < kDim; ++j) {
    const int64_t i = 1;  // sample 0, token 1: not masked
    const double expected =
        2.0 * kBeta * (student.value().data()[i * kDim + j] - codes.data()[nearest[size_t(i)] * kDim + j]) / elements;
    REQUIRE_THAT(student.grad().data()[i * kDim + j], WithinAbs(expected, 1e-7));
    REQUIRE(student.grad().data()[i * kDim + j] != 0.0f);
  }
}

TEST_CASE("Vq.Method.commitment_needs_one_width", "[plugin]") {
  auto method = make_vq();  // beta 0.25: student tokens of width 5, teacher tokens of width 3
  REQUIRE_THROWS_AS(method->setup(vq_shapes(), NodeSetup{"objective", 0}), ShapeError);
  REQUIRE_THROWS_WITH(make_vq()->setup(vq_shapes(), NodeSetup{"objective", 0}),
                      Contains("vq: the commitment term pulls the student's tokens toward the codes of the teacher's") &&
                          Contains("[4, 5]") && Contains("[4, 3]") && Contains("set beta: 0"));
  REQUIRE_NOTHROW(make_vq(Value(Value::Map{{"beta", Value(0.0)}}))->setup(vq_shapes(), NodeSetup{"objective", 0}));
}

TEST_CASE("Vq.Method.rejects_mismatched_inputs", "[plugin]") {
  auto method = make_vq(Value(Value::Map{{"beta", Value(0.0)}}));  // the widths differ
  SECTION("token counts differ at setup") {
    REQUIRE_THROWS_AS(method->setup(vq_shapes(kTokens + 1), NodeSetup{"objective", 0}), ShapeError);
    REQUIRE_THROWS_WITH(method->setup(vq_shapes(kTokens + 1), NodeSetup{"objective", 0}),
                        Contains("vq") && Contains("[5, 3]"));
  }
  SECTION("a mask that hides nothing") {
    method->setup(vq_shapes(), NodeSetup{"objective", 0});
    const Var student(random_tensor({kBatch, kTokens, kStudentDim}, 1));
    const Var teacher(random_tensor({kBatch, kTokens, kTeacherDim}, 2));
    REQUIRE_THROWS_WITH(method->forward(vq_inputs(student, teacher, Tensor(Shape{kBatch, kTokens}))),
                        Contains("vq") && Contains("hides no token"));
  }
  SECTION("a batch of the wrong width") {
    method->setup(vq_shapes(), NodeSetup{"objective", 0});
    const Var student(random_tensor({kBatch, kTokens, kStudentDim + 1}, 1));
    const Var teacher(random_tensor({kBatch, kTokens, kTeacherDim}, 2));
    REQUIRE_THROWS_AS(method->forward(vq_inputs(student, teacher, Tensor::full({kBatch, kTokens}, 1))), ShapeError);
  }
}

namespace {

// A small version of pipelines/vq_fmnist.yaml on generated images.
constexpr const char* kSmallPipeline = R"(name: vq-synthetic
seed: 0
train: {epochs: 3, batch_size: 32, log_every_steps: 100,
        optimizer: {plugin: adamw, lr: 2.0e-3, weight_decay: 0.05}, lr_schedule: constant}
data: {plugin: synthetic, train_size: 256, test_size: 32, image_size: 28, num_classes: 4}
nodes:
  mask:    {plugin: patch_mask, input: data.image, patch: 7, ratio: 0.6}
  student: {plugin: vit, input: data.image, mask: mask, dim: 32, depth: 2, heads: 2, patch: 7}
  teacher: {ema_of: student, input: data.image, schedule: {plugin: linear, start: 0.996, end: 0.9999}}
  objective: {plugin: vq, student: student.tokens, teacher: teacher.tokens, mask: mask, codes: 16}
)";

engine::RunResult train_small(const std::vector<std::string>& overrides = {}, const std::string& run_dir = "") {
  const engine::ValidatedPipeline pipeline =
      engine::validate(PipelineConfig::parse(kSmallPipeline, "vq.yaml", overrides), testing::builtin_registry());
  engine::RunOptions options;
  options.run_dir = run_dir;
  return engine::train(pipeline, options);
}

// The student's weights after 3 steps of the small pipeline with commitment weight `beta`.
NamedTensors student_after_three_steps(double beta) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("sslflow-vq-beta-" + std::to_string(beta) + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  train_small({"++train.max_steps=3", "++nodes.objective.beta=" + std::to_string(beta)}, dir.string());
  NamedTensors student;
  for (auto& [name, t] : io::read_safetensors((dir / "model.safetensors").string()).tensors)
    if (name.starts_with("student.")) student.emplace_back(name, t);
  std::filesystem::remove_all(dir);
  return student;
}

}  // namespace

TEST_CASE("Vq.Pipeline.beta_changes_training", "[plugin][engine]") {
  const NamedTensors none = student_after_three_steps(0.0);
  const NamedTensors strong = student_after_three_steps(5.0);
  REQUIRE(none.size() == strong.size());
  REQUIRE(!none.empty());
  double largest = 0.0;  // the largest change of any weight between the two runs
  for (size_t i = 0; i < none.size(); ++i) {
    REQUIRE(none[i].first == strong[i].first);
    for (int64_t j = 0; j < none[i].second.numel(); ++j)
      largest = std::max(largest, double(std::abs(none[i].second.data()[j] - strong[i].second.data()[j])));
  }
  INFO("largest difference of a student weight between beta 0 and beta 5: " << largest);
  REQUIRE(largest > 1e-4);
  // The same beta twice gives the same weights, so the difference is beta's.
  const NamedTensors again = student_after_three_steps(5.0);
  for (size_t i = 0; i < strong.size(); ++i)
    REQUIRE(std::equal(strong[i].second.values().begin(), strong[i].second.values().end(),
                       again[i].second.values().begin()));
}

TEST_CASE("Vq.Pipeline.loss_falls_and_codes_stay_in_use", "[plugin][engine]") {
  const engine::RunResult run = train_small();
  REQUIRE(run.losses.size() == 24);
  const auto window_mean = [&](size_t begin) {
    double s = 0.0;
    for (size_t i = begin; i < begin + 6; ++i) s += run.losses[i];
    return s / 6.0;
  };
  INFO("first steps " << window_mean(0) << ", last steps " << window_mean(18));
  REQUIRE(window_mean(18) < window_mean(0));
  // More than one code of the 16 chosen in the last batch.
  REQUIRE(metric(run.final_metrics, "objective.codebook_usage") * 16 > 1.0);
  REQUIRE(metric(run.final_metrics, "objective.perplexity") > 1.0);
}
