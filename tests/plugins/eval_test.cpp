#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "builtin_registry.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/dataset.hpp"
#include "sslflow/interfaces/evaluator.hpp"
#include "sslflow/io/safetensors.hpp"
#include "sslflow/random.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using sslflow::Evaluator;
using sslflow::FeatureSplits;
using sslflow::Metrics;
using sslflow::Rng;
using sslflow::Shape;
using sslflow::Tensor;
using sslflow::Value;
using sslflow::testing::make_builtin;

namespace {

constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

std::shared_ptr<Evaluator> evaluator(const std::string& name, Value::Map options = {}) {
  auto e = make_builtin<Evaluator>(name, Value(std::move(options)));
  REQUIRE(e);
  return e;
}

double metric(const Metrics& metrics, const std::string& name) {
  for (const auto& [key, value] : metrics)
    if (key == name) return value;
  FAIL("no metric '" << name << "'");
  return 0.0;
}

bool has_metric(const Metrics& metrics, const std::string& name) {
  return std::any_of(metrics.begin(), metrics.end(), [&](const auto& m) { return m.first == name; });
}

// A (rows, cols) matrix with entry (i, j) = value(i, j).
Tensor matrix(int64_t rows, int64_t cols, const std::function<double(int64_t, int64_t)>& value) {
  Tensor t(Shape{rows, cols});
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) t.data()[i * cols + j] = float(value(i, j));
  return t;
}

// Samples of `classes` clusters around centre * e_class in `dim` dimensions, uniform noise of
// half-width `noise`; sample i has class i % classes.
struct Clusters {
  Tensor x;
  std::vector<int64_t> labels;
};

Clusters clusters(int64_t count, int64_t dim, int64_t classes, double centre, double noise, uint64_t stream) {
  Rng rng(5, "test.eval.clusters", stream);
  Clusters c{matrix(count, dim,
                    [&](int64_t i, int64_t j) {
                      return (j == i % classes ? centre : 0.0) + rng.uniform(-float(noise), float(noise));
                    }),
             {}};
  for (int64_t i = 0; i < count; ++i) c.labels.push_back(i % classes);
  return c;
}

// The tensors of tests/plugins/data/<name>.safetensors, written by make_eval_golden.py.
struct Golden {
  sslflow::io::SafetensorsFile file;

  explicit Golden(const std::string& name)
      : file(sslflow::io::read_safetensors(std::string(SSLFLOW_SOURCE_DIR) + "/tests/plugins/data/" + name +
                                           ".safetensors")) {}

  Tensor operator[](const std::string& name) const {
    for (const auto& [key, tensor] : file.tensors)
      if (key == name) return tensor;
    FAIL("no tensor '" << name << "' in the golden file");
    return {};
  }
  double scalar(const std::string& name) const { return (*this)[name].item(); }
  std::vector<int64_t> labels(const std::string& name) const {
    std::vector<int64_t> out;
    for (float v : (*this)[name].values()) out.push_back(int64_t(v));
    return out;
  }
  FeatureSplits splits(int64_t num_classes) const {
    return {(*this)["train"], labels("train_labels"), (*this)["test"], labels("test_labels"), num_classes};
  }
};

// An (M, D) matrix with orthonormal columns (M >= D): Gram-Schmidt on Gaussian columns.
std::vector<std::vector<double>> orthonormal_columns(int64_t m, int64_t d, uint64_t stream) {
  Rng rng(9, "test.eval.orthonormal", stream);
  std::vector<std::vector<double>> q(static_cast<size_t>(d),
                                     std::vector<double>(static_cast<size_t>(m)));  // column-major: q[j] (M)
  for (int64_t j = 0; j < d; ++j) {
    for (double& v : q[size_t(j)]) v = rng.normal();
    for (int pass = 0; pass < 2; ++pass)
      for (int64_t p = 0; p < j; ++p) {
        double dot = 0.0;
        for (int64_t i = 0; i < m; ++i) dot += q[size_t(j)][size_t(i)] * q[size_t(p)][size_t(i)];
        for (int64_t i = 0; i < m; ++i) q[size_t(j)][size_t(i)] -= dot * q[size_t(p)][size_t(i)];
      }
    double norm = 0.0;
    for (double v : q[size_t(j)]) norm += v * v;
    for (double& v : q[size_t(j)]) v /= std::sqrt(norm);
  }
  return q;
}

// Z = U diag(sigma) V^T (M, D) with random orthonormal U (M, D) and V (D, D): the singular
// values of Z are sigma, and its Gram matrix is dense.
Tensor with_singular_values(int64_t m, const std::vector<double>& sigma) {
  const int64_t d = int64_t(sigma.size());
  const auto u = orthonormal_columns(m, d, 1);
  const auto v = orthonormal_columns(d, d, 2);
  return matrix(m, d, [&](int64_t i, int64_t j) {
    double s = 0.0;
    for (int64_t k = 0; k < d; ++k) s += u[size_t(k)][size_t(i)] * sigma[size_t(k)] * v[size_t(k)][size_t(j)];
    return s;
  });
}

// RankMe of singular values sigma, straight from Garrido et al. 2023.
double rankme_of(const std::vector<double>& sigma) {
  double total = 0.0, entropy = 0.0;
  for (double s : sigma) total += s;
  for (double s : sigma) {
    const double p = s / total + 1e-7;
    entropy -= p * std::log(p);
  }
  return std::exp(entropy);
}

FeatureSplits test_only(Tensor test) { return {Tensor(), {}, std::move(test), {}, 0}; }

// The first `count` images of `split` as rows of raw pixels, with their labels.
Clusters pixels(const sslflow::Dataset& data, sslflow::Split split, int64_t count) {
  const int64_t dim = data.sample_shape().numel();
  Clusters c{Tensor(Shape{count, dim}), {}};
  for (int64_t i = 0; i < count; ++i) c.labels.push_back(data.read(split, i, {c.x.data() + i * dim, size_t(dim)}));
  return c;
}

}  // namespace

TEST_CASE("Eval.Plugins.defaults", "[plugin]") {
  const auto& registry = sslflow::testing::builtin_registry();
  const auto* knn = registry.find(Evaluator::kKind, "knn");
  const auto* probe = registry.find(Evaluator::kKind, "linear_probe");
  REQUIRE(knn != nullptr);
  REQUIRE(probe != nullptr);
  REQUIRE(registry.find(Evaluator::kKind, "health") != nullptr);
  CHECK(sslflow::find_option(knn->schema, "k")->default_value() == Value(20));
  CHECK(sslflow::find_option(knn->schema, "temperature")->default_value() == Value(0.07));
  CHECK(sslflow::find_option(probe->schema, "l2")->default_value() == Value(1e-4));
  CHECK(sslflow::find_option(probe->schema, "max_iterations")->default_value() == Value(200));
  CHECK_THROWS_AS(evaluator("knn", {{"k", 0}}), sslflow::OptionError);
  CHECK_THROWS_AS(evaluator("knn", {{"temperature", 0.0}}), sslflow::OptionError);
}

TEST_CASE("Eval.Knn.separated_clusters", "[plugin]") {
  for (int64_t classes : {4, 7}) {
    const Clusters train = clusters(70, 8, classes, 4.0, 0.5, 0);
    const Clusters test = clusters(35, 8, classes, 4.0, 0.5, 1);
    const Metrics m = evaluator("knn")->evaluate({train.x, train.labels, test.x, test.labels, classes}, 0);
    CHECK(metric(m, "top1") == 1.0);
    CHECK(has_metric(m, "top5") == (classes > 5));
  }
}

TEST_CASE("Eval.Knn.golden", "[plugin][golden]") {
  const Golden golden("eval_knn");
  const FeatureSplits splits = golden.splits(10);
  const auto knn = evaluator("knn", {{"k", 5}, {"temperature", 0.1}});
  const Metrics m = knn->evaluate(splits, 0);
  const double tests = double(splits.test.dim(0));
  CHECK(std::lround(metric(m, "top1") * tests) == std::lround(golden.scalar("top1") * tests));
  CHECK(std::lround(metric(m, "top5") * tests) == std::lround(golden.scalar("top5") * tests));

  // Each prediction: the test sample alone, labelled with the reference's prediction.
  const std::vector<int64_t> predictions = golden.labels("predictions");
  for (int64_t i = 0; i < splits.test.dim(0); ++i) {
    const FeatureSplits one{
        splits.train, splits.train_labels, splits.test.rows(i, i + 1), {predictions[size_t(i)]}, 10};
    INFO("test sample " << i);
    CHECK(metric(knn->evaluate(one, 0), "top1") == 1.0);
  }
}

TEST_CASE("Eval.Knn.ties_go_to_lower_index", "[plugin]") {
  // Samples 0 and 1 coincide; sample 2 is orthogonal to them.
  const Tensor train = matrix(3, 2, [](int64_t i, int64_t j) { return i < 2 ? (j == 0) : (j == 1); });
  const Tensor test = matrix(1, 2, [](int64_t, int64_t j) { return j == 0 ? 2.0 : 0.0; });
  auto top1 = [&](int64_t k, std::vector<int64_t> train_labels, int64_t label) {
    return metric(evaluator("knn", {{"k", k}})->evaluate({train, std::move(train_labels), test, {label}, 2}, 0),
                  "top1");
  };
  // The single nearest neighbour is sample 0 of the two equally similar ones.
  CHECK(top1(1, {1, 0, 0}, 1) == 1.0);
  CHECK(top1(1, {0, 1, 0}, 0) == 1.0);
  // Two neighbours of different classes vote equally: the lower class wins.
  CHECK(top1(2, {1, 0, 1}, 0) == 1.0);
  CHECK(top1(2, {1, 0, 1}, 1) == 0.0);
}

TEST_CASE("Eval.Knn.rejects_bad_features", "[plugin]") {
  const Clusters train = clusters(6, 4, 2, 3.0, 0.1, 0);
  const Clusters test = clusters(4, 4, 2, 3.0, 0.1, 1);
  const auto knn = evaluator("knn", {{"k", 3}});
  CHECK_THROWS_WITH(evaluator("knn", {{"k", 7}})->evaluate({train.x, train.labels, test.x, test.labels, 2}, 0),
                    Contains("knn: k = 7 exceeds the 6 training samples"));
  const Tensor narrow = matrix(4, 3, [](int64_t, int64_t) { return 1.0; });
  CHECK_THROWS_AS(knn->evaluate({train.x, train.labels, narrow, test.labels, 2}, 0), sslflow::ShapeError);
  CHECK_THROWS_AS(knn->evaluate({train.x, {0, 1}, test.x, test.labels, 2}, 0), sslflow::ShapeError);
  CHECK_THROWS_WITH(knn->evaluate({train.x, train.labels, test.x, {0, 1, 2, 0}, 2}, 0),
                    Contains("knn: test label 2 is outside [0, 2)"));
  Tensor broken = test.x.clone();
  broken.data()[5] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(knn->evaluate({train.x, train.labels, broken, test.labels, 2}, 0),
                    Contains("knn: test features hold a NaN"));
}

TEST_CASE("Eval.LinearProbe.separable", "[plugin]") {
  // Labels from the argmax of a fixed linear map, with a margin of at least 0.5.
  Rng rng(3, "test.eval.separable");
  const int64_t dim = 6, classes = 3;
  std::vector<double> map(static_cast<size_t>(classes * dim));
  for (double& w : map) w = rng.normal();
  std::vector<float> rows;
  std::vector<int64_t> labels;
  while (labels.size() < 900) {
    std::vector<float> x(static_cast<size_t>(dim));
    for (float& v : x) v = rng.normal() * 3.0f;
    std::vector<double> score(static_cast<size_t>(classes), 0.0);
    for (int64_t c = 0; c < classes; ++c)
      for (int64_t j = 0; j < dim; ++j) score[size_t(c)] += map[size_t(c * dim + j)] * x[size_t(j)];
    std::vector<double> sorted = score;
    std::sort(sorted.rbegin(), sorted.rend());
    if (sorted[0] - sorted[1] < 0.5) continue;
    rows.insert(rows.end(), x.begin(), x.end());
    labels.push_back(std::max_element(score.begin(), score.end()) - score.begin());
  }
  const Tensor all(Shape{900, dim}, rows);
  const FeatureSplits splits{all.rows(0, 600),
                             {labels.begin(), labels.begin() + 600},
                             all.rows(600, 900),
                             {labels.begin() + 600, labels.end()},
                             classes};
  const Metrics m = evaluator("linear_probe")->evaluate(splits, 0);
  CHECK(metric(m, "train_top1") >= 0.99);
  CHECK(metric(m, "top1") >= 0.99);
}

TEST_CASE("Eval.LinearProbe.golden_optimum", "[plugin][golden]") {
  const Golden golden("eval_linear_probe");
  const FeatureSplits splits = golden.splits(4);
  const Metrics m = evaluator("linear_probe", {{"l2", double(golden.scalar("l2"))}})->evaluate(splits, 0);
  // The float32 objective reaches PyTorch's float64 optimum; nothing can go below it.
  const double optimum = golden.scalar("loss");
  CHECK_THAT(metric(m, "train_loss"), WithinRel(optimum, 1e-5));
  CHECK(metric(m, "train_loss") >= optimum - 1e-6);
  CHECK_THAT(metric(m, "train_top1"), WithinAbs(golden.scalar("train_top1"), 1.5 / double(splits.train.dim(0))));
  CHECK_THAT(metric(m, "top1"), WithinAbs(golden.scalar("top1"), 1.5 / double(splits.test.dim(0))));
}

TEST_CASE("Eval.LinearProbe.fashion_mnist_pixels", "[plugin]") {
  auto data = make_builtin<sslflow::Dataset>("idx");
  if (!std::filesystem::exists(kFashionMnistDir)) {
    WARN("Fashion-MNIST is not installed; checking the error that says so");
    CHECK_THROWS_AS(data->open(), sslflow::FormatError);
    return;
  }
  data->open();
  const Clusters train = pixels(*data, sslflow::Split::Train, 2000);
  const Clusters test = pixels(*data, sslflow::Split::Test, 1000);
  const FeatureSplits splits{train.x, train.labels, test.x, test.labels, 10};
  const Metrics probe = evaluator("linear_probe")->evaluate(splits, 0);
  CHECK(metric(probe, "top1") > 0.75);
  CHECK(metric(probe, "train_top1") >= metric(probe, "top1"));
  const Metrics knn = evaluator("knn")->evaluate(splits, 0);
  CHECK(metric(knn, "top1") > 0.7);
  CHECK(metric(knn, "top5") > metric(knn, "top1"));
}

TEST_CASE("Eval.Health.known_spectrum", "[plugin]") {
  const auto health = evaluator("health");
  SECTION("flat: an identity-like spectrum has full rank") {
    const std::vector<double> sigma(32, 3.0);
    CHECK_THAT(metric(health->evaluate(test_only(with_singular_values(96, sigma)), 0), "rankme"),
               WithinRel(32.0, 1e-4));
  }
  SECTION("graded: singular values 1 .. 32") {
    std::vector<double> sigma;
    for (int k = 1; k <= 32; ++k) sigma.push_back(k);
    CHECK_THAT(metric(health->evaluate(test_only(with_singular_values(96, sigma)), 0), "rankme"),
               WithinRel(rankme_of(sigma), 1e-4));
  }
  SECTION("decaying: singular values 2^-k, a few dominate") {
    std::vector<double> sigma;
    for (int k = 0; k < 32; ++k) sigma.push_back(std::ldexp(1.0, -k));
    CHECK_THAT(metric(health->evaluate(test_only(with_singular_values(96, sigma)), 0), "rankme"),
               WithinRel(rankme_of(sigma), 1e-3));
  }
}

TEST_CASE("Eval.Health.rank_one", "[plugin]") {
  Rng rng(4, "test.eval.rank_one");
  std::vector<float> u(300), v(128);
  for (float& x : u) x = rng.normal();
  for (float& x : v) x = rng.normal();
  const Tensor z = matrix(300, 128, [&](int64_t i, int64_t j) { return u[size_t(i)] * v[size_t(j)]; });
  CHECK_THAT(metric(evaluator("health")->evaluate(test_only(z), 0), "rankme"), WithinAbs(1.0, 0.01));
}

TEST_CASE("Eval.Health.embedding_spread", "[plugin]") {
  const auto health = evaluator("health");
  SECTION("collapsed: every row the same direction") {
    const Tensor z = matrix(500, 64, [](int64_t i, int64_t j) { return (1.0 + double(i % 3)) * std::cos(double(j)); });
    const Metrics m = health->evaluate(test_only(z), 0);
    CHECK_THAT(metric(m, "embedding_std"), WithinAbs(0.0, 1e-6));
    CHECK_THAT(metric(m, "embedding_std_ratio"), WithinAbs(0.0, 1e-5));
    CHECK_THAT(metric(m, "rankme"), WithinAbs(1.0, 0.01));
  }
  SECTION("isotropic Gaussian rows: std about 1 / sqrt(D)") {
    Rng rng(6, "test.eval.gaussian");
    const Tensor z = matrix(4000, 64, [&](int64_t, int64_t) { return rng.normal(); });
    const Metrics m = health->evaluate(test_only(z), 0);
    CHECK_THAT(metric(m, "embedding_std"), WithinAbs(1.0 / 8.0, 0.01));
    CHECK_THAT(metric(m, "embedding_std_ratio"), WithinAbs(1.0, 0.05));
    CHECK(metric(m, "rankme") > 60.0);
  }
  SECTION("all zero: rank 0") {
    const Metrics m = health->evaluate(test_only(Tensor(Shape{10, 8})), 0);
    CHECK(metric(m, "rankme") == 0.0);
    CHECK(metric(m, "embedding_std") == 0.0);
  }
}

TEST_CASE("Eval.Health.rejects_bad_features", "[plugin]") {
  const auto health = evaluator("health");
  CHECK_THROWS_WITH(health->evaluate(test_only(Tensor(Shape{1, 8})), 0),
                    Contains("health: test features: expected a matrix (N, D) with N >= 2"));
  CHECK_THROWS_AS(health->evaluate(test_only(Tensor(Shape{4, 2, 2})), 0), sslflow::ShapeError);
}
