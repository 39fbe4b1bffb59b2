#include "codebook.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::vq {

namespace {

// Row i of a (rows, C) tensor.
std::span<const float> row(const Tensor& t, int64_t i) {
  const int64_t c = t.dim(1);
  return {t.data() + i * c, size_t(c)};
}

double squared_distance(std::span<const float> a, std::span<const float> b) {
  double d = 0.0;
  for (size_t j = 0; j < a.size(); ++j) {
    const double diff = double(a[j]) - double(b[j]);
    d += diff * diff;
  }
  return d;
}

// Rows of x (N, C) divided by max(||row||, 1e-12), as F.normalize.
Tensor normalized_rows(const Tensor& x) {
  NoGrad no_grad;
  return l2_normalize(Var(x), 1).value();
}

}  // namespace

Codebook::Codebook(const CodebookOptions& options, uint64_t seed, std::string name)
    : options_(options), seed_(seed), name_(std::move(name)) {
  if (options_.codes < 1 || options_.dim < 1)
    throw ShapeError("vq codebook: needs at least one code of at least one dimension, got " +
                     std::to_string(options_.codes) + " codes of dimension " + std::to_string(options_.dim));
  const int64_t k = options_.codes, c = options_.dim;
  codes_ = register_buffer("codes", Tensor(Shape{k, c}));
  counts_ = register_buffer("ema_counts", Tensor::full(Shape{k}, 1.0f));
  sums_ = register_buffer("ema_sums", Tensor(Shape{k, c}));
  idle_ = register_buffer("idle_steps", Tensor(Shape{k}));
  seeded_ = register_buffer("seeded", Tensor(Shape{1}));
  batch_counts_.assign(size_t(k), 0.0);
  batch_sums_.assign(size_t(k * c), 0.0);
}

Tensor Codebook::prepared(const Tensor& z) const {
  if (z.rank() != 2 || z.dim(1) != options_.dim || z.dim(0) < 1)
    throw ShapeError("vq codebook: expected features (N, " + std::to_string(options_.dim) + ") with N >= 1, got " +
                     z.shape().str());
  return options_.normalize ? normalized_rows(z) : z;
}

std::vector<int64_t> Codebook::assign(const Tensor& z) const {
  const Tensor x = prepared(z);  // (N, C)
  const Tensor codes = options_.normalize ? normalized_rows(codes_) : codes_;  // (K, C)
  Tensor dots;  // (N, K) z . code
  {
    NoGrad no_grad;
    dots = linear(Var(x), Var(codes)).value();
  }
  const int64_t n = x.dim(0), k = options_.codes;
  std::vector<double> code_norms(static_cast<size_t>(k));  // (K) ||code||^2
  for (int64_t j = 0; j < k; ++j) {
    double s = 0.0;
    for (float v : row(codes, j)) s += double(v) * double(v);
    code_norms[size_t(j)] = s;
  }
  // ||z - code||^2 = ||z||^2 - 2 z.code + ||code||^2; ||z||^2 is the same for every code.
  std::vector<int64_t> indices(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const float* d = dots.data() + i * k;
    int64_t best = 0;
    double best_distance = code_norms[0] - 2.0 * double(d[0]);
    for (int64_t j = 1; j < k; ++j) {
      const double distance = code_norms[size_t(j)] - 2.0 * double(d[j]);
      if (distance < best_distance) {
        best = j;
        best_distance = distance;
      }
    }
    indices[size_t(i)] = best;
  }
  return indices;
}

Quantized Codebook::quantize(const Var& z) {
  const Tensor x = prepared(z.value());  // (N, C)
  if (seeded_.data()[0] == 0.0f) seed_codes(x);
  Quantized out;
  out.indices = assign(x);

  const int64_t n = x.dim(0), c = options_.dim;
  const Tensor codes = options_.normalize ? normalized_rows(codes_) : codes_;  // (K, C)
  Tensor offset(Shape{n, c});                                                     // (N, C) q - z
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = out.indices[size_t(i)];
    std::span<const float> code = row(codes, k);
    std::span<const float> zi = row(x, i);
    for (int64_t j = 0; j < c; ++j) {
      offset.data()[i * c + j] = code[size_t(j)] - zi[size_t(j)];
      batch_sums_[size_t(k * c + j)] += double(zi[size_t(j)]);
    }
    batch_counts_[size_t(k)] += 1.0;
  }
  last_batch_ = x;

  const Var features = options_.normalize ? l2_normalize(z, 1) : z;
  out.quantized = add(features, Var(offset));

  std::vector<double> histogram(static_cast<size_t>(options_.codes), 0.0);
  for (int64_t k : out.indices) histogram[size_t(k)] += 1.0;
  out.usage = codebook_usage(histogram);
  out.perplexity = perplexity(histogram);
  return out;
}

Var Codebook::commitment(const Var& e, std::span<const int64_t> indices) const {
  const int64_t n = int64_t(indices.size()), c = options_.dim;
  if (e.rank() != 2 || e.dim(0) != n || e.dim(1) != c)
    throw ShapeError("vq codebook: the commitment needs one row of width " + std::to_string(c) + " per code, (" +
                     std::to_string(n) + ", " + std::to_string(c) + "), got " + e.shape().str());
  const Tensor codes = options_.normalize ? normalized_rows(codes_) : codes_;  // (K, C)
  Tensor chosen(Shape{n, c});                                                     // (N, C) sg(q)
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = indices[size_t(i)];
    if (k < 0 || k >= options_.codes)
      throw Error("vq codebook: code " + std::to_string(k) + " of row " + std::to_string(i) + " is not one of the " +
                  std::to_string(options_.codes) + " codes");
    std::span<const float> code = row(codes, k);
    std::copy(code.begin(), code.end(), chosen.data() + i * c);
  }
  const Var committed = options_.normalize ? l2_normalize(e, 1) : e;
  return mul(mse_loss(committed, Var(chosen)), float(options_.beta));
}

void Codebook::update(int64_t step) {
  const int64_t k = options_.codes, c = options_.dim;
  const bool staged = last_batch_.defined();
  const double m = options_.momentum;
  for (int64_t j = 0; j < k; ++j) {
    const double used = batch_counts_[size_t(j)];
    float& idle = idle_.data()[j];
    idle = used > 0.0 ? 0.0f : idle + 1.0f;
    if (!staged) continue;
    float& count = counts_.data()[j];
    count = float(m * double(count) + (1.0 - m) * used);
    for (int64_t d = 0; d < c; ++d) {
      float& sum = sums_.data()[j * c + d];
      sum = float(m * double(sum) + (1.0 - m) * batch_sums_[size_t(j * c + d)]);
      if (count > 0.0f) codes_.data()[j * c + d] = sum / count;
    }
  }
  if (options_.reseed_dead && staged) reseed_dead(step);
  std::fill(batch_counts_.begin(), batch_counts_.end(), 0.0);
  std::fill(batch_sums_.begin(), batch_sums_.end(), 0.0);
  last_batch_ = Tensor();
}

void Codebook::reseed_dead(int64_t step) {
  Rng rng(seed_, "codebook.reseed." + name_, uint64_t(step));
  const int64_t c = options_.dim, n = last_batch_.dim(0);
  for (int64_t j = 0; j < options_.codes; ++j) {
    if (idle_.data()[j] < float(options_.dead_after)) continue;
    std::span<const float> chosen = row(last_batch_, int64_t(rng.below(uint64_t(n))));
    std::copy(chosen.begin(), chosen.end(), codes_.data() + j * c);
    std::copy(chosen.begin(), chosen.end(), sums_.data() + j * c);
    counts_.data()[j] = 1.0f;
    idle_.data()[j] = 0.0f;
  }
}

void Codebook::seed_codes(const Tensor& z) {
  Rng rng(seed_, "codebook." + name_);
  const int64_t n = z.dim(0), c = options_.dim;
  Tensor codes(Shape{options_.codes, c});                                         // (K, C)
  std::vector<double> nearest(static_cast<size_t>(n), std::numeric_limits<double>::infinity());  // (N) squared distance
  int64_t chosen = int64_t(rng.below(uint64_t(n)));
  for (int64_t j = 0; j < options_.codes; ++j) {
    if (j > 0) {
      // The next code is row i with probability proportional to nearest[i] (k-means++);
      // when every row already coincides with a code, uniformly.
      double total = 0.0;
      for (double d : nearest) total += d;
      if (total > 0.0) {
        const double target = double(rng.uniform()) * total;
        double cumulative = 0.0;
        chosen = -1;
        for (int64_t i = 0; i < n; ++i) {
          if (nearest[size_t(i)] <= 0.0) continue;
          cumulative += nearest[size_t(i)];
          chosen = i;
          if (cumulative > target) break;
        }
      } else {
        chosen = int64_t(rng.below(uint64_t(n)));
      }
    }
    std::span<const float> code = row(z, chosen);
    std::copy(code.begin(), code.end(), codes.data() + j * c);
    for (int64_t i = 0; i < n; ++i)
      nearest[size_t(i)] = std::min(nearest[size_t(i)], squared_distance(row(z, i), code));
  }
  set_codes(codes);
}

void Codebook::set_codes(const Tensor& codes) {
  expect_shape("vq codebook: set_codes", codes.shape(), codes_.shape());
  codes_.copy_from(codes);
  sums_.copy_from(codes);
  counts_.fill(1.0f);
  idle_.fill(0.0f);
  seeded_.fill(1.0f);
}

double codebook_usage(std::span<const double> histogram) {
  if (histogram.empty()) return 0.0;
  const auto used = std::count_if(histogram.begin(), histogram.end(), [](double h) { return h > 0.0; });
  return double(used) / double(histogram.size());
}

double perplexity(std::span<const double> histogram) {
  double total = 0.0;
  for (double h : histogram) total += h;
  if (total <= 0.0) return 0.0;
  double entropy = 0.0;
  for (double h : histogram)
    if (h > 0.0) entropy -= (h / total) * std::log(h / total);
  return std::exp(entropy);
}

}  // namespace sslflow::vq
