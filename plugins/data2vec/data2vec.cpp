#include "data2vec.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::data2vec {

namespace {

// The standard deviation of each column of x (N, D) over its rows, averaged over columns.
double mean_column_std(const Tensor& x) {
  const int64_t n = x.dim(0), d = x.dim(1);
  const float* v = x.data();
  double total = 0.0;
  for (int64_t j = 0; j < d; ++j) {
    double s = 0.0, s2 = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double e = v[i * d + j];
      s += e;
      s2 += e * e;
    }
    const double m = s / double(n);
    total += std::sqrt(std::max(0.0, s2 / double(n) - m * m));
  }
  return total / double(d);
}

}  // namespace

Schema Data2Vec::schema() {
  return {
      Option("top_k", 6,
             "teacher blocks averaged into the target, the last K; 6 as data2vec's vision recipe (fairseq "
             "data2vec config/vision/pretraining/base_imagenet_d2v1.yaml) and stable-pretraining's Data2Vec "
             "(top_k_blocks); at most the teacher's block count")
          .range(1, 64),
      Option("block_norm", "layer_norm",
             "normalisation of each block before averaging: layer_norm per token over the features, as data2vec's "
             "vision recipe; instance_norm per sample and feature over the tokens, as data2vec 2.0; or none, as "
             "stable-pretraining's Data2Vec")
          .one_of({"layer_norm", "instance_norm", "none"}),
      Option("target_norm", "layer_norm",
             "normalisation of the averaged target: layer_norm per token as data2vec's vision recipe and "
             "stable-pretraining; instance_norm per sample and feature over the tokens; rms, y / (rms + 1e-8) per "
             "sample and feature over its masked tokens, as oxicuda-ssl's Data2VecModel; or none")
          .one_of({"layer_norm", "instance_norm", "rms", "none"}),
      Option("head", "linear",
             "prediction head on the student's masked tokens: linear (D -> D) as data2vec's regression head, or "
             "none to regress with the tokens themselves as oxicuda-ssl's Data2VecModel")
          .one_of({"linear", "none"}),
      Option("beta", 2.0, "transition of the built-in smooth-L1 loss; 2.0 as data2vec's loss_beta").positive(),
      Option::plugin("loss", Loss::kKind, "",
                     "a loss plugin in place of the built-in smooth-L1, given (N, D) prediction and target rows "
                     "of the N masked tokens")
          .optional(),
  };
}

Signature Data2Vec::signature() {
  return {{{"student", PortType::Tokens, "the student's final tokens on the masked input"},
           {"teacher", PortType::Blocks, "the EMA teacher's block outputs on the full input"},
           {"mask", PortType::Mask, "the masked tokens of the student's input"}},
          {}};
}

Data2Vec::Data2Vec(const Params& params)
    : target_{params.get<int64_t>("top_k"), parse_norm(params.get<std::string>("block_norm")),
              parse_norm(params.get<std::string>("target_norm"))},
      linear_head_(params.get<std::string>("head") == "linear"),
      beta_(params.get<float>("beta")),
      loss_(params.has("loss") ? params.plugin<Loss>("loss") : nullptr) {}

void Data2Vec::setup(const InputShapes& shapes, const NodeSetup& context) {
  const Shape& student = shapes.get("student");
  const Shape& block = shapes.get("teacher");
  const Shape& mask = shapes.get("mask");
  if (student.rank() != 2)
    throw ShapeError("data2vec: student tokens must be (B, T, D), got per-sample shape " + student.str());
  if (!(block == student))
    throw ShapeError("data2vec: teacher blocks " + block.str() + " differ from the student's tokens " + student.str() +
                     " (per sample)");
  if (!(mask == Shape{student[0]}))
    throw ShapeError("data2vec: mask " + mask.str() + " does not have one flag per student token " + student.str() +
                     " (per sample)");
  const int64_t blocks = static_cast<int64_t>(shapes.count("teacher"));
  if (target_.top_k > blocks)
    throw GraphError("data2vec: top_k " + std::to_string(target_.top_k) + " exceeds the teacher's " +
                     std::to_string(blocks) + " blocks; set top_k to at most " + std::to_string(blocks));
  token_shape_ = student;
  if (linear_head_) {
    Rng rng = context.init_rng();
    head_ = register_module("head", std::make_shared<nn::Linear>(student[1], student[1], rng));
  }
}

void Data2Vec::check_inputs(const Var& student, const Packet& teacher, const Tensor& mask) const {
  if (student.rank() != 3) throw ShapeError("data2vec: student tokens must be (B, T, D), got " + student.shape().str());
  const Shape expected{student.dim(0), token_shape_[0], token_shape_[1]};
  expect_shape("data2vec student tokens", student.shape(), expected);
  expect_shape("data2vec mask", mask.shape(), Shape{expected[0], expected[1]});
  for (const Var& block : teacher.values) expect_shape("data2vec teacher block", block.shape(), expected);
}

StepOutput Data2Vec::forward(const MethodInputs& inputs) {
  if (token_shape_.rank() != 2) throw Error("data2vec: forward() before setup()");
  const Var& student = inputs.get("student").value();       // (B, T, D)
  const Packet& teacher = inputs.get("teacher");            // each (B, T, D)
  const Tensor& mask = inputs.get("mask").value().value();  // (B, T)
  check_inputs(student, teacher, mask);

  const std::vector<int64_t> tokens = masked_tokens(mask);
  if (tokens.empty()) throw Error("data2vec: the mask marks no token, so there is nothing to predict");
  const Var target = build_target(teacher.values, tokens, target_);  // (N, D)
  Var pred = gather_tokens(student, tokens);                         // (N, D)
  if (head_) pred = head_->forward(pred);
  Var loss = loss_ ? (*loss_)(pred, target) : smooth_l1_loss(pred, target, beta_);
  return {loss,
          {{"target_std", mean_column_std(target.value())},
           {"pred_std", mean_column_std(pred.value())},
           {"masked_fraction", double(tokens.size()) / double(mask.numel())}}};
}

}  // namespace sslflow::data2vec
