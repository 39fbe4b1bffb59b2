#include "dino.hpp"

#include <string>
#include <utility>
#include <vector>

#include "sslflow/collapse_metrics.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::dino {

namespace {

constexpr const char* kName = "dino";
constexpr const char* kInput = "input";
constexpr const char* kTarget = "target";

// GraphError unless `input` has at least two connections and `target` exactly two.
void check_counts(size_t crops, size_t targets) {
  if (crops < 2)
    throw GraphError(std::string(kName) + ": input '" + kInput + "' needs at least two connections, the student's " +
                     "features of the two global crops and then of any local crops (inputs: [backbone.0, " +
                     "backbone.1, ...]), got " + std::to_string(crops));
  if (targets != 2)
    throw GraphError(std::string(kName) + ": input '" + kTarget + "' needs exactly two connections, the teacher " +
                     "encoder's features of the two global crops (targets: [teacher.0, teacher.1]), got " +
                     std::to_string(targets));
}

std::string crop_name(const std::string& port, size_t index) {
  return (port == kTarget ? "target crop " : "crop ") + std::to_string(index + 1);
}

// The features of every connection, (B, F) each with one B; ShapeError otherwise.
std::vector<Var> read_port(const MethodInputs& inputs, const char* port, int64_t batch, int64_t features) {
  std::vector<Var> out;
  for (size_t i = 0; i < inputs.count(port); ++i) {
    const Var& x = inputs.get(port, i).value();
    if (x.rank() != 2 || x.dim(0) != batch || x.dim(1) != features)
      throw ShapeError(std::string(kName) + ": expected the features of " + crop_name(port, i) + " as (B, F) = [" +
                       std::to_string(batch) + ", " + std::to_string(features) + "] as crop 1's, got " +
                       x.shape().str());
    out.push_back(x);
  }
  return out;
}

}  // namespace

Schema Dino::schema() {
  return {
      Option("out_dim", 65536,
             "K, the width of the output distributions; 65536 as the paper and main_dino.py's --out_dim")
          .min(1),
      Option("hidden_dim", 2048, "width of the head's hidden layers; 2048 as vision_transformer.py's DINOHead")
          .min(1),
      Option("bottleneck_dim", 256, "width of the head's mlp output before the last layer; 256 as DINOHead").min(1),
      Option("head_layers", 3, "Linear layers of the head's mlp; 3 as DINOHead's nlayers").range(1, 16),
      Option("norm_last_layer", true,
             "fix the weight norm of the last layer at 1 (W = V / ||V|| per output row); true as main_dino.py's "
             "--norm_last_layer"),
      Option("student_temp", 0.1, "tau_s, the student's softmax temperature; 0.1 as DINOLoss's student_temp").positive(),
      Option("warmup_teacher_temp", 0.04,
             "tau_t at the first epoch, rising linearly to teacher_temp; 0.04 as the paper and main_dino.py")
          .positive(),
      Option("teacher_temp", 0.07,
             "tau_t after the warm-up; 0.07 as the paper's implementation details and its ViT-S/16 recipe "
             "(main_dino.py's default 0.04 with no warm-up is its safe start)")
          .positive(),
      Option("warmup_teacher_temp_epochs", 30,
             "epochs of tau_t's linear warm-up, one value per epoch; 30 as the paper (main_dino.py's default 0)")
          .min(0),
      Option("center_momentum", 0.9, "m of the centre's moving average c <- m c + (1 - m) mean(t); 0.9 as DINOLoss")
          .range(0.0, 1.0),
      Option("freeze_last_layer", 1,
             "epochs during which the last layer gets no gradient; 1 as main_dino.py's --freeze_last_layer")
          .min(0),
      Option::plugin("schedule", EmaScheduler::kKind, "cosine",
                     "momentum of the teacher head, as the teacher encoder's node; cosine 0.996 -> 1 (the cosine "
                     "plugin's defaults), main_dino.py's momentum_schedule = cosine_scheduler(--momentum_teacher "
                     "0.996, 1, ...)"),
  };
}

Signature Dino::signature() {
  return {{{kInput, PortType::Features,
            "the student's features (B, F) of every crop, the two global crops first, then the local crops", false,
            true, 0, 2},
           {kTarget, PortType::Features,
            "the teacher encoder's features (B, F) of the two global crops, in the order of `input` (an EMA teacher "
            "node)",
            false, true, 2}},
          {}};
}

Dino::Dino(const Params& params)
    : head_{.in_dim = 0,
            .hidden_dim = params.get<int64_t>("hidden_dim"),
            .bottleneck_dim = params.get<int64_t>("bottleneck_dim"),
            .out_dim = params.get<int64_t>("out_dim"),
            .layers = params.get<int64_t>("head_layers"),
            .norm_last_layer = params.get<bool>("norm_last_layer")},
      student_temp_(static_cast<float>(params.get<double>("student_temp"))),
      teacher_temp_{params.get<double>("warmup_teacher_temp"), params.get<double>("teacher_temp"),
                    params.get<int64_t>("warmup_teacher_temp_epochs")},
      center_momentum_(params.get<double>("center_momentum")),
      freeze_last_layer_(params.get<int64_t>("freeze_last_layer")),
      schedule_(params.plugin<EmaScheduler>("schedule")) {}

void Dino::setup(const InputShapes& shapes, const NodeSetup& context) {
  check_counts(shapes.count(kInput), shapes.count(kTarget));
  const Shape& first = shapes.get(kInput, 0);
  if (first.rank() != 1)
    throw ShapeError(std::string(kName) + ": expected features [F] per sample, got " + first.str() + " for crop 1");
  for (const char* port : {kInput, kTarget})
    for (size_t i = 0; i < shapes.count(port); ++i)
      if (!(shapes.get(port, i) == first))
        throw ShapeError(std::string(kName) + ": the features of " + crop_name(port, i) + " have shape " +
                         shapes.get(port, i).str() + ", crop 1's " + first.str() +
                         "; every crop needs one feature width (an encoder that pools globally), and the teacher "
                         "encoder must mirror the student's");
  if (context.steps_per_epoch < 1)
    throw Error(std::string(kName) + ": needs epochs of at least one step, got steps_per_epoch " +
                std::to_string(context.steps_per_epoch));
  steps_per_epoch_ = context.steps_per_epoch;
  head_.in_dim = first[0];

  Rng rng = context.init_rng();
  student_head_ = register_module("student_head", std::make_shared<DinoHead>(head_, rng));
  Rng overwritten(0, "unused");  // the copy's initial weights are replaced by the student head's
  teacher_head_ =
      register_module("teacher_head", std::make_shared<EmaCopy>(std::make_shared<DinoHead>(head_, overwritten),
                                                                *student_head_));
  center_ = register_buffer("center", Tensor(Shape{1, head_.out_dim}));
}

StepOutput Dino::forward(const MethodInputs& inputs) {
  check_counts(inputs.count(kInput), inputs.count(kTarget));
  const Var& first = inputs.get(kInput, 0).value();
  if (first.rank() != 2 || first.dim(1) != head_.in_dim)
    throw ShapeError(std::string(kName) + ": expected the features of crop 1 as (B, " + std::to_string(head_.in_dim) +
                     "), got " + first.shape().str());
  const int64_t batch = first.dim(0);
  const std::vector<Var> crops = read_port(inputs, kInput, batch, head_.in_dim);
  const std::vector<Var> globals = read_port(inputs, kTarget, batch, head_.in_dim);

  student_head_->last_layer().freeze(epoch() < freeze_last_layer_);
  const DinoHead::Output student = student_head_->forward_parts(concat(crops, 0));  // (n B, K)
  teacher_logits_ = teacher_head_->forward(concat(globals, 0)).value();             // (2 B, K)
  const double temperature = teacher_temp_.at(epoch());
  const Tensor targets = teacher_targets(teacher_logits_, center_, static_cast<float>(temperature));
  const Var loss = cross_crop_loss(student.logits, targets, static_cast<int64_t>(crops.size()), student_temp_);

  const double entropy = mean_entropy(targets);
  Metrics metrics;
  {
    NoGrad no_grad;
    metrics = collapse_metrics(slice(student.bottleneck, 0, 0, batch).value());
  }
  metrics.emplace_back("teacher_temp", temperature);
  metrics.emplace_back("teacher_entropy", entropy);
  metrics.emplace_back("kl", static_cast<double>(loss.value().item()) - entropy);
  return {loss, std::move(metrics)};
}

void Dino::on_begin_step(int64_t step, int64_t) { step_ = step; }

void Dino::on_end_step(int64_t step, int64_t total_steps) {
  teacher_head_->follow(*student_head_, schedule_->momentum(step, total_steps));
  if (teacher_logits_.defined()) update_center(center_, teacher_logits_, center_momentum_);
  teacher_logits_ = Tensor();
}

}  // namespace sslflow::dino
