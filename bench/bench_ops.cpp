// bench_ops: times sslflow's linear, conv2d, batch norm + ReLU and matmul at the shapes the
// shipped pipelines use, forward alone and forward + backward, and the rate of the BLAS it
// calls (oneDNN's sgemm).
//
// Protocol (shared with bench/torch_ops.py): every case runs `--warmup` times untimed, then
// is timed one repetition at a time until it has run at least `--min-repeats` times and
// for at least `--min-time` seconds. Each case prints one JSON line:
//   {"impl": "sslflow", "case": "...", "ms": <median>, "flops": <per repetition>, "repeats": <n>}
// The input of a first layer (images) needs no gradient; hidden-layer inputs do, so their
// backward also computes the input gradient, as in training.
//
// Threading: sslflow runs on `--threads` oneTBB threads (tbb::global_control), its BLAS
// single-threaded inside them. The raw sgemm case runs oneDNN's sgemm on `--threads` OpenMP
// threads of its own, and puts the calling thread back to one OpenMP thread afterwards.
#include <CLI/CLI.hpp>
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "sslflow/autograd.hpp"
#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"
#include "sslflow/random.hpp"

namespace sslflow {
namespace {

struct Protocol {
  int threads = 2;
  int warmup = 3;
  int min_repeats = 10;
  double min_time_s = 1.0;
  std::string only;  // run only the cases whose name contains this
};

// One repetition of a case, holding the case's data.
using Repetition = std::function<void()>;

struct Case {
  std::string impl;  // "sslflow" or "openblas"
  std::string name;
  double flops;  // floating-point operations of one repetition
  // Makes the data (only for the cases that run) and returns the repetition.
  std::function<Repetition()> setup;
};

struct Timing {
  double median_ms;
  int repeats;
};

Timing time_case(const Repetition& run, const Protocol& protocol) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < protocol.warmup; ++i) run();
  std::vector<double> ms;
  double total_ms = 0.0;
  while (static_cast<int>(ms.size()) < protocol.min_repeats || total_ms < protocol.min_time_s * 1e3) {
    const auto start = Clock::now();
    run();
    const double elapsed = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    ms.push_back(elapsed);
    total_ms += elapsed;
  }
  std::sort(ms.begin(), ms.end());
  const size_t mid = ms.size() / 2;
  return {ms.size() % 2 ? ms[mid] : 0.5 * (ms[mid - 1] + ms[mid]), static_cast<int>(ms.size())};
}

// Uniform in [-1, 1), from the stream ("bench_ops", index).
Tensor random_tensor(const Shape& shape, uint64_t index) {
  Tensor t = Tensor::uninitialized(shape);
  Rng rng(0, "bench_ops", index);
  init::uniform(t, rng, -1.0, 1.0);
  return t;
}

// The leaves and output gradient of one op.
struct Operands {
  Var x, weight, bias;
  Tensor grad_output;
};

// Shapes of an op's operands; the bias is (weight[0]).
struct OperandShapes {
  Shape x, weight, out;
  bool x_requires_grad;
};

Operands make_operands(const OperandShapes& s) {
  return {Var(random_tensor(s.x, 0), s.x_requires_grad), Var(random_tensor(s.weight, 1), true),
          Var(random_tensor(Shape{s.weight[0]}, 2), true), random_tensor(s.out, 3)};
}

// A forward case, and a forward + backward case that clears the gradients after each step.
void add_pair(std::vector<Case>& cases, const std::string& name, double forward_flops, const OperandShapes& shapes,
              const std::function<Var(const Operands&)>& forward) {
  cases.push_back({"sslflow", name + "_fwd", forward_flops, [shapes, forward]() -> Repetition {
                     return [o = make_operands(shapes), forward] { forward(o); };
                   }});
  // Backward costs one product for the weight gradient, one more for the input gradient.
  const double step_flops = forward_flops * (shapes.x_requires_grad ? 3.0 : 2.0);
  cases.push_back({"sslflow", name + "_fwdbwd", step_flops, [shapes, forward]() -> Repetition {
                     return [o = make_operands(shapes), forward] {
                       forward(o).backward(o.grad_output);
                       o.weight.zero_grad();
                       o.bias.zero_grad();
                       if (o.x.requires_grad()) o.x.zero_grad();
                     };
                   }});
}

void add_linear(std::vector<Case>& cases, int64_t batch, int64_t in, int64_t out, bool x_requires_grad) {
  const std::string name = "linear_" + std::to_string(in) + "x" + std::to_string(out) + "_b" + std::to_string(batch);
  add_pair(cases, name, 2.0 * batch * in * out, {Shape{batch, in}, Shape{out, in}, Shape{batch, out}, x_requires_grad},
           [](const Operands& v) { return linear(v.x, v.weight, v.bias); });
}

// A 3x3 convolution with bias of a (batch, c_in, size, size) input.
void add_conv3x3(std::vector<Case>& cases, int64_t batch, int64_t c_in, int64_t c_out, int64_t size, int stride,
                 int padding, bool x_requires_grad) {
  const std::string name = "conv3x3_" + std::to_string(c_in) + "x" + std::to_string(c_out) + "_s" +
                           std::to_string(stride) + "_" + std::to_string(size) + "px_b" + std::to_string(batch);
  const int64_t out_size = (size + 2 * padding - 3) / stride + 1;
  const OperandShapes shapes{Shape{batch, c_in, size, size}, Shape{c_out, c_in, 3, 3},
                             Shape{batch, c_out, out_size, out_size}, x_requires_grad};
  add_pair(cases, name, 2.0 * batch * c_out * out_size * out_size * c_in * 9, shapes,
           [stride, padding](const Operands& v) { return conv2d(v.x, v.weight, v.bias, stride, padding); });
}

// Training-mode batch norm then ReLU of a (batch, channels, size, size) input, as each
// ConvNet stage runs them (one fused op); no products to count.
void add_batch_norm_relu(std::vector<Case>& cases, int64_t batch, int64_t channels, int64_t size) {
  const std::string name = "batchnorm_relu_" + std::to_string(channels) + "x" + std::to_string(size) + "px_b" +
                           std::to_string(batch);
  const Shape x{batch, channels, size, size};
  add_pair(cases, name, 0.0, {x, Shape{channels}, x, true}, [](const Operands& v) {
    return batch_norm_relu(v.x, v.weight, v.bias, Tensor(), Tensor(), true);
  });
}

void add_square_products(std::vector<Case>& cases, int64_t n, int threads) {
  const double flops = 2.0 * n * n * n;
  cases.push_back({"sslflow", "matmul_" + std::to_string(n), flops, [n]() -> Repetition {
                     return [a = Var(random_tensor(Shape{n, n}, 0)), b = Var(random_tensor(Shape{n, n}, 1))] {
                       matmul(a, b);
                     };
                   }});
  cases.push_back({"onednn", "sgemm_" + std::to_string(n), flops, [n, threads]() -> Repetition {
                     return [a = random_tensor(Shape{n, n}, 0), b = random_tensor(Shape{n, n}, 1),
                             c = Tensor::uninitialized(Shape{n, n}), n, threads]() mutable {
                       omp_set_num_threads(threads);
                       dnnl_sgemm('N', 'N', n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
                       omp_set_num_threads(1);
                     };
                   }});
}

std::vector<Case> all_cases(int threads) {
  std::vector<Case> cases;
  add_linear(cases, 256, 784, 512, false);
  add_linear(cases, 256, 512, 512, true);
  add_conv3x3(cases, 256, 1, 32, 28, 1, 1, false);
  add_conv3x3(cases, 256, 32, 64, 28, 2, 1, true);
  add_conv3x3(cases, 256, 64, 128, 14, 2, 1, true);
  add_batch_norm_relu(cases, 256, 32, 28);
  add_square_products(cases, 2048, threads);
  return cases;
}

int run(const Protocol& protocol) {
  const tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism,
                                        static_cast<size_t>(protocol.threads));
  for (const Case& c : all_cases(protocol.threads)) {
    if (c.name.find(protocol.only) == std::string::npos) continue;
    const Timing t = time_case(c.setup(), protocol);
    std::printf("{\"impl\": \"%s\", \"case\": \"%s\", \"ms\": %.4f, \"flops\": %.0f, \"repeats\": %d}\n",
                c.impl.c_str(), c.name.c_str(), t.median_ms, c.flops, t.repeats);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace sslflow

int main(int argc, char** argv) {
  sslflow::Protocol protocol;
  CLI::App app("Times sslflow's matmul, linear and conv2d; prints one JSON line per case.");
  app.add_option("--threads", protocol.threads, "oneTBB threads for sslflow, OpenBLAS threads for raw sgemm")
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup", protocol.warmup, "untimed repetitions per case")->check(CLI::NonNegativeNumber);
  app.add_option("--min-repeats", protocol.min_repeats, "timed repetitions per case, at least")
      ->check(CLI::PositiveNumber);
  app.add_option("--min-time", protocol.min_time_s, "seconds of timed repetitions per case, at least")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--only", protocol.only, "run only the cases whose name contains this");
  CLI11_PARSE(app, argc, argv);
  return sslflow::run(protocol);
}
