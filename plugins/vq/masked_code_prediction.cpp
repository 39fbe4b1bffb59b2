#include "masked_code_prediction.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "sslflow/error.hpp"
#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::vq {

namespace {

constexpr const char* kName = "vq";

// The per-sample shape on `port`, which must have `rank` dimensions.
const Shape& port_shape(const InputShapes& shapes, const std::string& port, int rank) {
  const Shape& shape = shapes.get(port);
  if (shape.rank() != rank)
    throw ShapeError(std::string(kName) + ": input '" + port + "' expects " + std::to_string(rank) +
                     " dimensions per sample, got " + shape.str());
  return shape;
}

}  // namespace

Schema MaskedCodePrediction::schema() {
  return {
      Option("codes", 64,
             "codebook size K; 64 suits the 16 patches of a Fashion-MNIST image (BEiT's tokeniser has 8192)")
          .range(2, 65536),
      Option("momentum", 0.99, "EMA decay of the codebook's counts and sums; 0.99 as VQ-VAE-2 (Razavi et al. 2019)")
          .range(0.0, 1.0),
      Option("beta", 0.25,
             "weight of the commitment loss pulling the student's tokens toward the teacher's codes; 0.25 as VQ-VAE "
             "(van den Oord et al. 2017); 0 turns it off")
          .min(0.0),
      Option("normalize", true,
             "L2-normalise teacher tokens and codes before assignment, as BEiT v2 and ViT-VQGAN"),
      Option("reseed_dead", false, "reset codes unused for dead_after steps to random teacher tokens of the batch"),
      Option("dead_after", 100, "steps without use after which a code is dead (with reseed_dead)").range(1, 1e9),
      Option::plugin("loss", Loss::kKind, "cross_entropy",
                     "scores the head's logits (M, K) against the teacher codes (M); cross-entropy as BEiT"),
  };
}

Signature MaskedCodePrediction::signature() {
  return {{{"student", PortType::Tokens, "the student's tokens on the masked image"},
           {"teacher", PortType::Tokens, "the EMA teacher's tokens on the full image (e.g. teacher.tokens)"},
           {"mask", PortType::Mask, "1 at the tokens the student did not see"}},
          {}};
}

MaskedCodePrediction::MaskedCodePrediction(const Params& params) : loss_(params.plugin<Loss>("loss")) {
  options_.codes = params.get<int64_t>("codes");
  options_.momentum = params.get<double>("momentum");
  options_.beta = params.get<double>("beta");
  options_.normalize = params.get<bool>("normalize");
  options_.reseed_dead = params.get<bool>("reseed_dead");
  options_.dead_after = params.get<int64_t>("dead_after");
}

void MaskedCodePrediction::setup(const InputShapes& shapes, const NodeSetup& context) {
  const Shape& student = port_shape(shapes, "student", 2);  // (T, D)
  const Shape& teacher = port_shape(shapes, "teacher", 2);  // (T, C)
  const Shape& mask = port_shape(shapes, "mask", 1);        // (T)
  if (teacher[0] != student[0] || mask[0] != student[0])
    throw ShapeError(std::string(kName) + ": student tokens " + student.str() + ", teacher tokens " + teacher.str() +
                     " and mask " + mask.str() + " must have the same number of tokens");
  tokens_ = student[0];
  student_dim_ = student[1];
  options_.dim = teacher[1];
  if (options_.beta > 0.0 && student_dim_ != options_.dim)
    throw ShapeError(std::string(kName) + ": the commitment term pulls the student's tokens toward the codes of the " +
                     "teacher's, so both need one width: the student's tokens " + student.str() +
                     ", the teacher's " + teacher.str() + "; give them one width, or set beta: 0");
  codebook_ = register_module("codebook", std::make_shared<Codebook>(options_, context.seed, context.node_name));
  // BEiT's prediction head: weight N(0, 0.02^2) truncated at two standard deviations, bias 0.
  Rng rng = context.init_rng();
  head_ = register_module("head", std::make_shared<nn::Linear>(student_dim_, options_.codes, rng));
  init::truncated_normal(head_->weight.value(), rng, 0.02);
  head_->bias.value().fill(0.0f);
}

StepOutput MaskedCodePrediction::forward(const MethodInputs& inputs) {
  const Var& student = inputs.get("student").value();  // (B, T, D)
  const Var& teacher = inputs.get("teacher").value();  // (B, T, C)
  const Tensor& mask = inputs.get("mask").value().value();  // (B, T)
  const int64_t b = student.dim(0);
  expect_shape("vq: student tokens", student.shape(), Shape{b, tokens_, student_dim_});
  expect_shape("vq: teacher tokens", teacher.shape(), Shape{b, tokens_, options_.dim});
  expect_shape("vq: mask", mask.shape(), Shape{b, tokens_});

  const Quantized quantized = codebook_->quantize(reshape(teacher.detach(), Shape{b * tokens_, options_.dim}));
  const Var flat = reshape(student, Shape{b * tokens_, student_dim_});  // (B T, D)

  std::vector<int64_t> masked;  // flat token positions the student must predict
  std::vector<float> labels;    // their teacher codes, as class ids
  for (int64_t i = 0; i < b * tokens_; ++i)
    if (mask.data()[i] != 0.0f) {
      masked.push_back(i);
      labels.push_back(float(quantized.indices[size_t(i)]));
    }
  if (masked.empty()) throw Error(std::string(kName) + ": the mask hides no token, so there is nothing to predict");

  const Var logits = head_->forward(index_select(flat, 0, masked));  // (M, K)
  const int64_t m = int64_t(masked.size());
  const Var prediction = (*loss_)(logits, Var(Tensor(Shape{m}, labels)));  // labels (M)

  int64_t correct = 0;
  for (int64_t i = 0; i < m; ++i) {
    const float* row = logits.value().data() + i * options_.codes;
    correct += std::max_element(row, row + options_.codes) - row == int64_t(labels[size_t(i)]);
  }

  Var loss = prediction;
  double commitment = 0.0;
  if (options_.beta > 0.0) {
    const Var term = codebook_->commitment(flat, quantized.indices);
    commitment = term.value().item();
    loss = add(loss, term);
  }
  Metrics metrics{{"prediction_loss", prediction.value().item()},
                  {"commitment_loss", commitment},
                  {"token_accuracy", double(correct) / double(m)},
                  {"codebook_usage", quantized.usage},
                  {"perplexity", quantized.perplexity}};
  return {loss, std::move(metrics)};
}

void MaskedCodePrediction::on_end_step(int64_t step, [[maybe_unused]] int64_t total_steps) { codebook_->update(step); }

}  // namespace sslflow::vq
