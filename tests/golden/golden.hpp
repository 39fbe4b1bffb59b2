// Golden tests: sslflow ops against reference tensors computed by PyTorch.
//
// tests/golden/make_golden.py writes tests/golden/data/<op>.safetensors. Each file holds
// one or more cases, each tensor named "<case>.<name>": the inputs and parameters (PyTorch
// names), `out`, `loss_weight`, `loss` = sum(loss_weight * out), `<name>.grad` for each
// differentiable input and `<buffer>.updated` for buffers an op changes in place.
//
// A test loads one case, runs the sslflow op on leaves made from the stored inputs,
// checks the output, back-propagates the same weighted loss (d loss / d out = loss_weight)
// and checks every gradient:
//
//   const GoldenCase g("linear", "bias");
//   Var x = g.leaf("x"), weight = g.leaf("weight"), bias = g.leaf("bias");
//   Var out = linear(x, weight, bias);
//   g.expect_output(out);
//   g.backward(out);
//   g.expect_grads({{"x", x}, {"weight", weight}, {"bias", bias}});
//
// A tensor passes when every entry has |actual - expected| <= atol + rtol * |expected|.
// A failure names the tensor and reports its largest absolute difference and its first
// mismatching entries (llm.c's test_gpt2 style); every tensor of a case is checked even
// after one fails.
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sslflow/autograd.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/safetensors.hpp"
#include "sslflow/module.hpp"
#include "sslflow/tensor.hpp"

namespace sslflow::golden {

struct Tolerance {
  double atol;
  double rtol;
};

// The reference is the float64 result rounded to float32, so these bound sslflow's own
// float32 rounding. Correct kernels stay within about 1e-6 on these small cases (summation
// order differs from PyTorch's); a wrong formula, index or branch is off by 1e-3 or more.
// Gradients chain several rounded kernels and get more room.
inline constexpr Tolerance kOutputTolerance{1e-5, 1e-5};
inline constexpr Tolerance kGradTolerance{2e-5, 1e-4};

struct Comparison {
  bool ok = true;
  double max_abs_diff = 0.0;
  std::string report;  // what differs, for the failure message
};

inline Comparison compare(const std::string& name, const Tensor& actual, const Tensor& expected, Tolerance tolerance) {
  Comparison result;
  std::ostringstream report;
  if (!actual.defined()) {
    result.ok = false;
    report << name << ": no value (expected shape " << expected.shape().str() << ")";
    result.report = report.str();
    return result;
  }
  if (!(actual.shape() == expected.shape())) {
    result.ok = false;
    report << name << ": shape " << actual.shape().str() << ", expected " << expected.shape().str();
    result.report = report.str();
    return result;
  }
  constexpr int kShownMismatches = 5;
  int shown = 0;
  int64_t mismatches = 0;
  int64_t worst = 0;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    const double got = actual.data()[i];
    const double want = expected.data()[i];
    const double diff = std::isnan(got - want) ? INFINITY : std::abs(got - want);
    if (diff > result.max_abs_diff) {
      result.max_abs_diff = diff;
      worst = i;
    }
    if (diff <= tolerance.atol + tolerance.rtol * std::abs(want)) continue;
    ++mismatches;
    if (shown++ < kShownMismatches)
      report << "  " << name << "[" << i << "] = " << got << ", expected " << want << "\n";
  }
  result.ok = mismatches == 0;
  report << name << " " << expected.shape().str() << ": " << (result.ok ? "OK" : "NOT OK") << ", " << mismatches
         << " of " << expected.numel() << " entries outside atol " << tolerance.atol << " + rtol " << tolerance.rtol
         << ", max |diff| = " << result.max_abs_diff << " at [" << worst << "]";
  result.report = report.str();
  return result;
}

// One case of one op's golden file.
class GoldenCase {
 public:
  GoldenCase(const std::string& op, const std::string& case_name)
      : GoldenCase(in_file(std::string(SSLFLOW_SOURCE_DIR) + "/tests/golden/data/" + op + ".safetensors", case_name)) {}

  // A case of any golden file (the plugins' in tests/plugins/data/).
  struct InFile {
    std::string path;
    std::string case_name;
  };
  static InFile in_file(std::string path, std::string case_name) { return {std::move(path), std::move(case_name)}; }
  explicit GoldenCase(const InFile& file) : path_(file.path), case_(file.case_name) {
    const std::string prefix = case_ + ".";
    for (auto& [name, tensor] : io::read_safetensors(path_).tensors)
      if (name.compare(0, prefix.size(), prefix) == 0) tensors_.emplace(name.substr(prefix.size()), tensor);
    if (tensors_.empty()) throw FormatError(path_, "no tensors for case '" + case_ + "'");
  }

  bool has(const std::string& name) const { return tensors_.count(name) != 0; }

  // Copies of the tensors under "<group>.", the prefix removed (a state dict, say).
  NamedTensors group(const std::string& group) const {
    NamedTensors out;
    const std::string prefix = group + ".";
    for (const auto& [name, tensor] : tensors_)
      if (name.compare(0, prefix.size(), prefix) == 0) out.emplace_back(name.substr(prefix.size()), tensor.clone());
    return out;
  }

  // The stored tensor `name` of this case; throws FormatError when there is none.
  const Tensor& tensor(const std::string& name) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) throw FormatError(path_, "no tensor '" + case_ + "." + name + "'");
    return it->second;
  }

  // A copy of a stored input as a leaf that requires a gradient.
  Var leaf(const std::string& name) const { return Var(tensor(name).clone(), true); }

  // Class labels, stored as whole numbers in F32.
  std::vector<int64_t> labels(const std::string& name) const {
    std::vector<int64_t> labels;
    for (float v : tensor(name).values()) labels.push_back(std::llround(v));
    return labels;
  }

  // Checks `actual` against the stored tensor `name`.
  void expect(const std::string& name, const Tensor& actual, Tolerance tolerance = kOutputTolerance) const {
    const Comparison c = compare(case_ + "." + name, actual, tensor(name), tolerance);
    INFO(c.report);
    CHECK(c.ok);
  }

  // Checks the op's output and the weighted loss it gives.
  void expect_output(const Var& out) const {
    expect("out", out.value());
    if (!(out.shape() == tensor("out").shape())) return;
    const Tensor& weight = tensor("loss_weight");
    double loss = 0.0;
    for (int64_t i = 0; i < weight.numel(); ++i) loss += double(weight.data()[i]) * out.value().data()[i];
    expect("loss", Tensor::scalar(static_cast<float>(loss)));
  }

  // Back-propagates loss = sum(loss_weight * out).
  void backward(const Var& out) const {
    const Tensor& weight = tensor("loss_weight");
    INFO(case_ << ".out: shape " << out.shape().str() << ", expected " << weight.shape().str());
    REQUIRE(out.shape() == weight.shape());
    out.backward(weight);
  }

  // Checks each leaf's gradient against the stored "<name>.grad".
  void expect_grads(const std::vector<std::pair<std::string, Var>>& leaves) const {
    for (const auto& [name, leaf] : leaves) expect(name + ".grad", leaf.grad(), kGradTolerance);
  }

 private:
  std::string path_;
  std::string case_;
  std::map<std::string, Tensor> tensors_;
};

}  // namespace sslflow::golden
