#include "toy_plugins.hpp"

#include <atomic>
#include <cmath>
#include <stdexcept>

#include "sslflow/sdk.hpp"

namespace sslflow::testing {

namespace {

// 64 training and 32 test images of 1x4x4: class c has a bright row c % 4, plus noise.
class ToyData final : public Dataset {
 public:
  static Schema schema() {
    return {Option("size", 64, "training samples").range(8, 4096),
            Option("stop_in_open", false, "requests a stop while opening, as a signal would")};
  }
  explicit ToyData(const Params& p) : size_(p.get<int64_t>("size")), stop_in_open_(p.get<bool>("stop_in_open")) {}
  void open() override {
    if (stop_in_open_) stop_request() = true;
    check_stop();
    opened_ = true;
  }
  int64_t size(Split s) const override { return s == Split::Train ? size_ : size_ / 2; }
  Shape sample_shape() const override { return Shape{1, 4, 4}; }
  int64_t num_classes() const override { return 2; }
  int64_t read(Split s, int64_t index, std::span<float> out) const override {
    if (!opened_) throw Error("toy dataset read before open()");
    Rng rng(11, s == Split::Train ? "toy.train" : "toy.test", static_cast<uint64_t>(index));
    const int64_t label = index % 2;
    for (int i = 0; i < 16; ++i) out[i] = 0.1f * rng.uniform() + (i / 4 == label * 2 ? 0.8f : 0.0f);
    return label;
  }

 private:
  int64_t size_;
  bool stop_in_open_;
  bool opened_ = false;
};

class ToyNoise final : public Transform {
 public:
  static Schema schema() { return {Option("std", 0.05, "noise std").min(0.0)}; }
  explicit ToyNoise(const Params& p) : std_(p.get<float>("std")) {}
  Shape setup(const Shape& s, const NodeSetup&) override { return s; }
  void apply(std::span<const float> in, std::span<float> out, Rng& rng) const override {
    for (size_t i = 0; i < in.size(); ++i) out[i] = in[i] + std_ * rng.normal();
  }

 private:
  float std_;
};

class ToyMask final : public Transform {
 public:
  static Schema schema() { return {}; }
  static Signature signature() {
    return {{{"input", PortType::Image, "images"}}, {{"out", PortType::Mask, "one flag per row"}}};
  }
  explicit ToyMask(const Params&) {}
  Shape setup(const Shape& s, const NodeSetup&) override { return Shape{s[1]}; }
  void apply(std::span<const float>, std::span<float> out, Rng& rng) const override {
    for (float& m : out) m = rng.bernoulli(0.5f) ? 1.0f : 0.0f;
  }
};

// With nan_at_step, every output of that training step is NaN; with nan_grad_at_step, the
// outputs of that step stay finite but their gradient is not (sqrt's at 0): for the
// non-finite checks.
class ToyLinear final : public Encoder {
 public:
  static Schema schema() {
    return {Option("dim", 8, "output width").range(1, 1024),
            Option("nan_at_step", -1, "the training step whose outputs are NaN; -1: none").min(-1),
            Option("nan_grad_at_step", -1, "the training step whose gradients are NaN; -1: none").min(-1)};
  }
  static Signature signature() {
    return {{{"input", PortType::Image, "images", false, true}}, {{"out", PortType::Features, "features"}}};
  }
  explicit ToyLinear(const Params& p)
      : dim_(p.get<int64_t>("dim")),
        nan_at_step_(p.get<int64_t>("nan_at_step")),
        nan_grad_at_step_(p.get<int64_t>("nan_grad_at_step")) {}
  void setup(const Shape& s, const NodeSetup& ctx) override {
    Rng rng = ctx.init_rng();
    Tensor w(Shape{dim_, s.numel()});
    init::xavier_uniform(w, rng);
    weight_ = register_parameter("weight", w);
    bias_ = register_parameter("bias", Tensor(Shape{dim_}));
    in_ = s.numel();
  }
  Output forward(const Var& x, const Tensor&) override {
    Var out = relu(linear(reshape(x, Shape{x.dim(0), in_}), weight_, bias_));
    if (step_ == nan_grad_at_step_) out = add(out, sqrt(mul(out, 0.0f)));
    return {step_ == nan_at_step_ ? add(out, std::nanf("")) : out, {}, {}};
  }
  int64_t feature_dim() const override { return dim_; }

 protected:
  void on_end_step(int64_t, int64_t) override { ++step_; }

 private:
  int64_t dim_;
  int64_t nan_at_step_;
  int64_t nan_grad_at_step_;
  int64_t step_ = 0;
  int64_t in_ = 0;
  Var weight_, bias_;
};

// Rows of the image as tokens (B, 4, 4) -> linear -> (B, 4, dim); masked rows zeroed.
class ToyTokens final : public Encoder {
 public:
  static Schema schema() { return {Option("dim", 6, "token width").range(1, 1024)}; }
  explicit ToyTokens(const Params& p) : dim_(p.get<int64_t>("dim")) {}
  void setup(const Shape& s, const NodeSetup& ctx) override {
    Rng rng = ctx.init_rng();
    Tensor w(Shape{dim_, s[2]});
    init::xavier_uniform(w, rng);
    weight_ = register_parameter("weight", w);
    rows_ = s[1];
    width_ = s[2];
  }
  Output forward(const Var& x, const Tensor& mask) override {
    Var tokens = reshape(x, Shape{x.dim(0), rows_, width_});
    if (mask.defined()) {
      Tensor keep(Shape{x.dim(0), rows_, 1});
      for (int64_t i = 0; i < keep.numel(); ++i) keep.data()[i] = 1.0f - mask.data()[i];
      tokens = mul(tokens, Var(keep));
    }
    Var h = linear(tokens, weight_);
    Var out = relu(h);
    return {mean(out, 1), out, {h, out}};
  }
  int64_t feature_dim() const override { return dim_; }

 private:
  int64_t dim_;
  int64_t rows_ = 0, width_ = 0;
  Var weight_;
};

class ToyMse final : public Loss {
 public:
  static Schema schema() { return {}; }
  explicit ToyMse(const Params&) {}
  Var operator()(const Var& pred, const Var& target) const override { return mse_loss(pred, target); }
};

// Pulls the two views' normalised features together through a linear head.
class ToyAlign final : public Method {
 public:
  static Schema schema() { return {Option::plugin("loss", Loss::kKind, "toy_mse", "the comparison")}; }
  static Signature signature() {
    PortSpec views{"input", PortType::Features, "two views or more", false, true};
    views.min_count = 2;
    return {{views}, {}};
  }
  explicit ToyAlign(const Params& p) : loss_(p.plugin<Loss>("loss")) {}
  void setup(const InputShapes& shapes, const NodeSetup& ctx) override {
    const int64_t d = shapes.get("input")[0];
    Rng rng = ctx.init_rng();
    Tensor w(Shape{d, d});
    init::xavier_uniform(w, rng);
    head_ = register_parameter("head", w);
  }
  StepOutput forward(const MethodInputs& in) override {
    Var a = l2_normalize(linear(in.get("input", 0).value(), head_));
    Var b = l2_normalize(in.get("input", 1).value()).detach();
    return {(*loss_)(a, b), {{"feature_mean", mean(in.get("input", 0).value()).value().item()}}};
  }

 private:
  std::shared_ptr<Loss> loss_;
  Var head_;
};

// Predicts the teacher's mean block output at masked tokens.
class ToyMasked final : public Method {
 public:
  static Schema schema() { return {}; }
  static Signature signature() {
    return {{{"student", PortType::Tokens, "student tokens"},
             {"teacher", PortType::Blocks, "teacher blocks"},
             {"mask", PortType::Mask, "masked tokens"}},
            {}};
  }
  explicit ToyMasked(const Params&) {}
  void setup(const InputShapes&, const NodeSetup&) override {}
  StepOutput forward(const MethodInputs& in) override {
    const auto& blocks = in.get("teacher").values;
    Var target = blocks.front();
    for (size_t i = 1; i < blocks.size(); ++i) target = add(target, blocks[i]);
    target = mul(target, 1.0f / static_cast<float>(blocks.size()));
    Tensor m = in.get("mask").value().value();
    Var weight(m.reshape(Shape{m.dim(0), m.dim(1), 1}));
    Var diff = mul(sub(in.get("student").value(), target.detach()), weight);
    return {mean(square(diff)), {}};
  }
};

// Fails on purpose, for the error-reporting tests: throws `what` at `at_step` or while it is
// constructed or set up, or returns a loss that breaks a method's contract.
class ToyFail final : public Method {
 public:
  static Schema schema() {
    return {Option("at_step", 2, "the step that throws").min(0),
            Option("during", "step", "when it throws").one_of({"step", "construction", "setup", "never"}),
            Option("what", "runtime_error", "what it throws").one_of({"runtime_error", "bad_alloc", "int"}),
            Option("loss", "mean", "the loss it returns").one_of({"mean", "per_sample", "constant"})};
  }
  static Signature signature() { return {{{"input", PortType::Features, "features", false, true}}, {}}; }
  explicit ToyFail(const Params& p)
      : at_(p.get<int64_t>("at_step")), during_(p.get<std::string>("during")), what_(p.get<std::string>("what")),
        loss_(p.get<std::string>("loss")) {
    if (during_ == "construction") fail();
  }
  void setup(const InputShapes&, const NodeSetup&) override {
    if (during_ == "setup") fail();
  }
  StepOutput forward(const MethodInputs& in) override {
    if (during_ == "step" && calls_++ == at_) fail();
    const Var& x = in.get("input").value();
    if (loss_ == "per_sample") return {mean(x, 1), {}};
    if (loss_ == "constant") return {Var(Tensor::scalar(1.0f)), {}};
    return {mean(x), {}};
  }

 private:
  void fail() const {
    if (what_ == "bad_alloc") throw std::bad_alloc();
    if (what_ == "int") throw 7;
    throw std::runtime_error("toy failure on purpose");
  }

  int64_t at_;
  std::string during_, what_, loss_;
  int64_t calls_ = 0;
};

class ToySgd final : public Optimizer {
 public:
  static Schema schema() { return {Option("lr", 0.1, "learning rate").positive()}; }
  explicit ToySgd(const Params& p) : lr_(p.get<double>("lr")) {}
  void setup(const std::vector<std::pair<std::string, Var>>& params) override { params_ = params; }
  double base_lr() const override { return lr_; }
  void step(double lr) override {
    for (auto& [_, v] : params_)
      if (Tensor g = v.grad(); g.defined())
        for (int64_t i = 0; i < g.numel(); ++i) v.value().data()[i] -= static_cast<float>(lr) * g.data()[i];
  }
  NamedTensors state() const override { return {}; }
  void load_state(const NamedTensors&) override {}

 private:
  double lr_;
  std::vector<std::pair<std::string, Var>> params_;
};

class ToyConstant final : public EmaScheduler {
 public:
  static Schema schema() { return {Option("momentum", 0.9, "momentum").range(0.0, 1.0)}; }
  explicit ToyConstant(const Params& p) : m_(p.get<double>("momentum")) {}
  double momentum(int64_t, int64_t) const override { return m_; }

 private:
  double m_;
};

std::atomic<int64_t> evaluator_calls{0};  // evaluator/toy_mean's, over the process

class ToyMean final : public Evaluator {
 public:
  static Schema schema() {
    return {Option("stop_on_call", 0,
                   "the call (from 1, counted over the process) that requests a stop midway, as a signal would; "
                   "0: none")
                .min(0)};
  }
  explicit ToyMean(const Params& p) : stop_on_call_(p.get<int64_t>("stop_on_call")) {}
  Metrics evaluate(const FeatureSplits& f, uint64_t) const override {
    if (++evaluator_calls == stop_on_call_) stop_request() = true;
    check_stop();
    double s = 0;
    for (float x : f.test.values()) s += x;
    return {{"test_feature_mean", s / static_cast<double>(f.test.numel())},
            {"train_samples", static_cast<double>(f.train.dim(0))}};
  }

 private:
  int64_t stop_on_call_;
};

}  // namespace

void reset_toy_evaluator_calls() { evaluator_calls = 0; }

void register_toy_plugins(Registry& r) {
  r.add<Dataset, ToyData>("toy", "4x4 images of two classes");
  r.add<Transform, ToyNoise>("toy_noise", "adds Gaussian noise");
  r.add<Transform, ToyMask>("toy_mask", "masks random rows");
  r.add<Encoder, ToyLinear>("toy_linear", "flatten + linear + ReLU");
  r.add<Encoder, ToyTokens>("toy_tokens", "rows as tokens");
  r.add<Loss, ToyMse>("toy_mse", "mean squared error");
  r.add<Method, ToyAlign>("toy_align", "aligns two views");
  r.add<Method, ToyMasked>("toy_masked", "masked prediction of teacher blocks");
  r.add<Method, ToyFail>("toy_fail", "throws at a chosen step");
  r.add<Optimizer, ToySgd>("toy_sgd", "plain gradient descent");
  r.add<EmaScheduler, ToyConstant>("toy_constant", "a constant momentum");
  r.add<Evaluator, ToyMean>("toy_mean", "mean test feature");
}

const Registry& toy_registry() {
  static const Registry registry = [] {
    Registry r;
    register_toy_plugins(r);
    return r;
  }();
  return registry;
}

}  // namespace sslflow::testing
